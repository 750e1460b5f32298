/**
 * Replaces a method of a host object (window.fetch, XMLHttpRequest.prototype.send) with a wrapper and
 * returns the undo. Undoing puts the original back, or, when something wrapped the method after us (and
 * calls ours), leaves theirs in place and makes ours a plain pass-through.
 */
import type { Diag } from '../../../shared/diag.js';

export type Method = (this: unknown, ...args: unknown[]) => unknown;

export function patchMethod(target: object | undefined, name: string, make: (original: Method) => Method, diag: Diag): () => void {
  const host = target as Record<string, unknown> | undefined;
  const original = host?.[name];
  if (!host || typeof original !== 'function') return () => undefined;
  const orig = original as Method;
  const wrapped = make(orig);
  let active = true;
  const wrapper: Method = function (this: unknown, ...args: unknown[]) {
    return (active ? wrapped : orig).apply(this, args);
  };
  try {
    host[name] = wrapper;
  } catch (err) {
    // A page (or a script) locked it with Object.defineProperty: those calls are not traced.
    diag.warn(`B27 ${name}` /* <name> cannot be instrumented */, err);
    return () => undefined;
  }
  return () => {
    active = false;
    if (host[name] === wrapper) host[name] = orig;
  };
}
