/**
 * The zone-free context manager of `isotel/browser`: sdk-trace-web's StackContextManager (the synchronous
 * stack the zone-free OpenTelemetry browser SDK uses: `context.with(ctx, fn)` makes ctx active while fn
 * runs and restores the previous context when fn returns), plus promise scopes for isotel's own async
 * helper, `withSpan`:
 *
 * - `context.with` (the OpenTelemetry API, startActiveSpan, the fetch/XHR instrumentation) stays strictly
 *   synchronous: what fn does after its first `await`, in timers or in event handlers runs without it.
 * - `keep(ctx, fn)` (what `withSpan` gets, by marking its context with KEEP_THROUGH_PROMISE: keep-key.ts)
 *   does the same and, when fn returns a promise, keeps ctx as a
 *   *scope* until that promise settles. While no `with` runs (after an `await`, in a timer, in an XHR or
 *   event callback: any task or microtask), `active()` answers with the innermost scope that every pending
 *   scope shares: one pending `withSpan` (or a nested chain of them) is the parent of what its await chain
 *   does; with two of different traces pending at once there is none (the root), never the wrong trace. A
 *   scope is nested in the enclosing one (the one whose synchronous part or await chain started it) only
 *   when its span is of the same trace.
 *
 * The cost: work that is not part of the pending withSpan (another click's handler, a polling timer) but
 * runs before its promise settles is parented to it too, as in the browser SDKs that keep "the current
 * transaction" (Sentry, Elastic RUM). zone.js (`isotel/browser/zone`) tracks real async causality instead.
 *
 * Subclassed rather than wrapped: StackContextManager's `bind` calls `this.with`, so bound functions go
 * through the depth count here as well.
 */
import { type Context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { StackContextManager } from '@opentelemetry/sdk-trace-web';
import type { Diag } from '../../../shared/diag.js';
import { KEEP_THROUGH_PROMISE } from './keep-key.js';

interface Scope {
  ctx: Context;
  /** The trace of the scope's span: a scope is nested only in a scope of the same trace. */
  traceId: string | undefined;
  /** The scope that was active when this one started (its enclosing withSpan), if any. */
  parent: Scope | undefined;
  pending: boolean;
}

/** Pending scopes kept at most (a promise that never settles would otherwise keep its scope forever). */
const MAX_SCOPES = 100;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** The innermost scope that is `s` or an ancestor of it, and also one of `t` (undefined: none). */
function common(s: Scope | undefined, t: Scope): Scope | undefined {
  for (let a = s; a; a = a.parent) for (let b: Scope | undefined = t; b; b = b.parent) if (a === b) return a;
  return undefined;
}

export class PromiseScopeContextManager extends StackContextManager {
  private depth = 0;
  private scopes: Scope[] = [];
  /** The scope whose synchronous part is running (keep inside keep: its parent). */
  private current: Scope | undefined;
  /**
   * Set when keep returned a pending promise: the code that goes on synchronously after it is its caller's
   * (the enclosing scope, or none), not the scope's. Cleared by the first microtask after keep was entered,
   * which runs before any continuation the function queued (FIFO), once the caller's synchronous run is over.
   * Imprecision: when keep runs in a microtask, microtasks queued before that one (other code's
   * continuations) also see the caller's scope; in practice a scope of the same trace.
   */
  private caller: { scope: Scope | undefined } | undefined;
  private clearing = false;

  constructor(private readonly onDrop: () => void = () => undefined) {
    super();
  }

  override active(): Context {
    if (this.depth > 0 || this.scopes.length === 0) return super.active();
    return this.here()?.ctx ?? ROOT_CONTEXT;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (ctx && ctx.getValue(KEEP_THROUGH_PROMISE)) return this.keep(ctx.deleteValue(KEEP_THROUGH_PROMISE), () => fn.call(thisArg, ...args));
    this.depth++;
    try {
      return super.with(ctx, fn, thisArg, ...args);
    } finally {
      this.depth--;
    }
  }

  /** `with`, and while the promise fn returns is pending, ctx stays the fallback of `active()`. */
  keep<T>(ctx: Context, fn: () => T): T {
    if (!this.clearing) {
      this.clearing = true;
      void Promise.resolve().then(() => {
        this.caller = undefined;
        this.clearing = false;
      });
    }
    const traceId = trace.getSpanContext(ctx)?.traceId;
    const enclosing = this.current ?? (this.depth > 0 ? undefined : this.here());
    const scope: Scope = { ctx, traceId, parent: enclosing?.traceId === traceId ? enclosing : undefined, pending: true };
    const outer = this.current;
    this.current = scope;
    let result: T;
    try {
      result = this.with(ctx, fn);
    } finally {
      this.current = outer;
    }
    if (isThenable(result)) {
      if (this.scopes.push(scope) > MAX_SCOPES) {
        this.scopes.shift()!.pending = false;
        this.onDrop();
      }
      const release = (): void => {
        scope.pending = false;
        this.scopes = this.scopes.filter((s) => s !== scope);
      };
      // Registered before the caller's own `await`/`then` on the same promise: those run after the release.
      Promise.resolve(result).then(release, release);
      this.caller = { scope: enclosing };
    }
    return result;
  }

  override disable(): this {
    this.scopes = [];
    this.caller = undefined;
    return super.disable() as this;
  }

  /** The scope of code running outside any `with`: the caller's right after keep, else the shared one. */
  private here(): Scope | undefined {
    return this.caller ? this.caller.scope : this.shared();
  }

  /**
   * The innermost scope shared by the pending scopes that await no other pending one (the leaves: an outer
   * withSpan awaiting an inner one is not where the code runs): one chain gives its innermost scope,
   * siblings their common parent, scopes of different traces none.
   */
  private shared(): Scope | undefined {
    const leaves = this.scopes.filter((s) => !this.scopes.some((t) => t !== s && t.parent && common(t.parent, s) === s));
    let found: Scope | undefined = leaves[0];
    for (let i = 1; i < leaves.length && found; i++) found = common(found, leaves[i]);
    return found?.pending ? found : undefined;
  }
}

/** The zone-free context manager of `isotel/browser`; what it lets go is counted on the diag channel. */
export function zoneFreeContext(diag: Diag): PromiseScopeContextManager {
  return new PromiseScopeContextManager(() => diag.count('context.scope_dropped'));
}
