/**
 * Opt-in console capture: console.debug/log/info/warn/error are wrapped so each call also becomes a
 * record, then the original runs as before. A guard stops recursion (the SDK logging while a console
 * call is being recorded); restore puts the originals back, or, when something wrapped console after
 * us, turns our wrapper into a plain pass-through so theirs keeps working.
 */
import type { Attributes } from '../../shared/model.js';
import type { Level } from '../../shared/severity.js';
import { sanitizeValue } from '../../shared/sanitize.js';
import { exceptionAttributes } from '../../shared/exception.js';

const METHODS: ReadonlyArray<[name: string, level: Level]> = [
  ['debug', 'debug'],
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
];

export type ConsoleReport = (level: Level, message: string, attributes: Attributes) => void;

type Method = (...args: unknown[]) => void;

function format(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      const v = sanitizeValue(a);
      return typeof v === 'string' ? v : JSON.stringify(v);
    })
    .join(' ');
}

export function captureConsole(target: Record<string, unknown>, report: ConsoleReport): () => void {
  let inside = false;
  let active = true;
  const installed: Array<[string, Method, Method]> = [];
  for (const [name, level] of METHODS) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    const orig = original as Method;
    const wrapper: Method = function (this: unknown, ...args: unknown[]) {
      if (active && !inside) {
        inside = true;
        try {
          const err = args.find((a) => a instanceof Error);
          const attrs: Attributes = err ? exceptionAttributes(err) : {};
          attrs['isotel.console.method'] = name;
          report(level, format(args), attrs);
        } catch {
          // Recording must never break the page's own console call, which runs next regardless.
        } finally {
          inside = false;
        }
      }
      return orig.apply(this, args);
    };
    target[name] = wrapper;
    installed.push([name, orig, wrapper]);
  }
  return () => {
    active = false;
    for (const [name, orig, wrapper] of installed) if (target[name] === wrapper) target[name] = orig;
  };
}
