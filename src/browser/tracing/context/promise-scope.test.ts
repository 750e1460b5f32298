import { type Context, context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEEP_THROUGH_PROMISE } from './keep-key.js';
import { PromiseScopeContextManager } from './promise-scope.js';

const KEY = createContextKey('name');
/** A context with a name and a span of trace `traceId` (one trace unless told). */
const named = (name: string, traceId = '1'.repeat(32)): Context =>
  trace.setSpanContext(ROOT_CONTEXT.setValue(KEY, name), { traceId, spanId: '2'.repeat(16), traceFlags: 1 });
const activeName = (): unknown => context.active().getValue(KEY);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

let manager: PromiseScopeContextManager;
let dropped = 0;
beforeEach(() => {
  dropped = 0;
  manager = new PromiseScopeContextManager(() => dropped++);
  context.setGlobalContextManager(manager.enable());
});
afterEach(() => context.disable());

describe('zone-free context (stack + withSpan promise scopes)', () => {
  it('context.with is synchronous: after its function returns, and after an await in it, the context is gone', async () => {
    let afterAwait: unknown = 'unset';
    const pending = context.with(named('a'), async () => {
      expect(activeName()).toBe('a');
      await tick();
      afterAwait = activeName();
    });
    expect(activeName()).toBeUndefined();
    await pending;
    expect(afterAwait).toBeUndefined();
  });

  it('keep holds the context through the await chain of the returned promise, and releases it when it settles', async () => {
    const seen: unknown[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const result = manager.keep(named('a'), async () => {
      seen.push(activeName());
      await tick();
      seen.push(activeName());
      await gate;
      seen.push(activeName());
      return 42;
    });
    // Between tasks, while the promise is pending, the scope answers (a timer, an event handler).
    await new Promise<void>((r) => setTimeout(() => (seen.push(activeName()), r()), 5));
    open();
    expect(await result).toBe(42);
    expect(seen).toEqual(['a', 'a', 'a', 'a']);
    expect(activeName()).toBeUndefined();
  });

  it("context.with keeps a context marked by withSpan (and takes the mark off), as keep does", async () => {
    const seen: unknown[] = [];
    await context.with(named('a').setValue(KEEP_THROUGH_PROMISE, true), async () => {
      seen.push(context.active().getValue(KEEP_THROUGH_PROMISE));
      await tick();
      seen.push(activeName(), context.active().getValue(KEEP_THROUGH_PROMISE));
    });
    expect(seen).toEqual([undefined, 'a', undefined]);
  });

  it('a rejected promise releases its scope too and still rejects for the caller', async () => {
    const failure = new Error('app error');
    await expect(manager.keep(named('a'), async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(activeName()).toBeUndefined();
  });

  it('nested scopes: the inner one inside, the outer one again after the inner settled', async () => {
    const seen: unknown[] = [];
    await manager.keep(named('outer'), async () => {
      await tick();
      await manager.keep(named('inner'), async () => {
        await tick();
        seen.push(activeName());
      });
      seen.push(activeName());
      await tick();
      seen.push(activeName());
    });
    expect(seen).toEqual(['inner', 'outer', 'outer']);
    expect(activeName()).toBeUndefined();
  });

  it('two scopes of different traces pending at once: no parent (never the wrong trace); siblings: their common parent', async () => {
    const seen: Record<string, unknown> = {};
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const a = manager.keep(named('a', 'a'.repeat(32)), async () => {
      await tick();
      seen.a = activeName();
      await gate;
    });
    const b = manager.keep(named('b', 'b'.repeat(32)), async () => {
      await tick();
      seen.b = activeName();
      await gate;
    });
    await tick();
    await tick();
    open();
    await Promise.all([a, b]);
    expect(seen).toEqual({ a: undefined, b: undefined });
    // Siblings started in the parent's synchronous part, and after an await in it.
    await manager.keep(named('parent'), async () => {
      const sibling = (n: string) =>
        manager.keep(named(n), async () => {
          await tick();
          seen[n] = activeName();
          await tick();
        });
      await Promise.all(['x', 'y'].map(sibling));
      await tick();
      await Promise.all(['v', 'w'].map(sibling));
    });
    expect(seen).toMatchObject({ x: 'parent', y: 'parent', v: 'parent', w: 'parent' });
  });

  it('a scope of the same trace started (in another task) while another is pending is nested in it: zone-free cannot tell them apart', async () => {
    const seen: Record<string, unknown> = {};
    const a = manager.keep(named('a'), async () => {
      await tick();
      seen.a = activeName();
      await tick();
    });
    await Promise.resolve(); // another task, as far as the manager can tell (the caller's run is over)
    await manager.keep(named('b'), async () => {
      await tick();
      seen.b = activeName();
    });
    await a;
    // b is a's child as far as the manager can tell, and a's own continuations run in b while b is pending.
    expect(seen).toEqual({ a: 'b', b: 'b' });
  });

  it('the code after a withSpan that is not awaited runs in its caller\'s context, the function\'s continuations in the scope', async () => {
    const seen: Record<string, unknown> = {};
    const pending = manager.keep(named('a'), async () => {
      await Promise.resolve(); // a continuation queued before the caller's code goes on
      seen.inScope = activeName();
      await tick();
      seen.later = activeName();
    });
    seen.caller = activeName();
    // A timer the caller set runs while the scope is pending: it gets the scope (the zone-free cost, README).
    await new Promise<void>((r) => setTimeout(() => (seen.timer = activeName(), r()), 0));
    await pending;
    expect(seen).toEqual({ caller: undefined, inScope: 'a', timer: 'a', later: 'a' });
  });

  it('a synchronous with inside a pending scope wins, ROOT_CONTEXT included', async () => {
    await manager.keep(named('a'), async () => {
      await tick();
      expect(context.with(named('b'), activeName)).toBe('b');
      expect(context.with(ROOT_CONTEXT, activeName)).toBeUndefined();
      const bound = context.bind(named('c'), activeName);
      expect(bound()).toBe('c');
      expect(activeName()).toBe('a');
    });
  });

  it('a function that returns no promise keeps nothing', async () => {
    expect(manager.keep(named('a'), () => activeName())).toBe('a');
    await tick();
    expect(activeName()).toBeUndefined();
  });

  it('keeps at most 100 pending scopes, counting the ones it lets go', () => {
    const never = new Promise<void>(() => undefined);
    for (let i = 0; i < 101; i++) manager.keep(named(`s${i}`), () => never);
    expect(dropped).toBe(1);
  });

  it('disable forgets the pending scopes', async () => {
    const never = new Promise<void>(() => undefined);
    manager.keep(named('a'), () => never);
    await tick();
    expect(activeName()).toBe('a');
    manager.disable();
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });
});
