import type { Batch } from '../../shared/model.js';
import type { BackendHealth } from '../backends/types.js';
import type { SinkGroup } from './types.js';

export interface FanOut {
  /** Hands the batch to every channel; never blocks, never throws. Channels only read the batch. */
  enqueue(batch: Batch): void;
  /** Resolves when every channel has flushed. */
  flush(): Promise<void>;
  /** Closes every channel; idempotent. */
  close(): Promise<void>;
  health(): BackendHealth[];
}

/** Every channel (the engine, each file writer) gets every record. */
export function createFanOut(channels: readonly SinkGroup[]): FanOut {
  const list = [...channels];
  let closing: Promise<void> | undefined;
  return {
    enqueue(batch) {
      for (const c of list) {
        try {
          c.enqueue(batch);
        } catch {
          // enqueue never throws by contract (a channel reports to diag itself); this guard only keeps one
          // misbehaving channel from starving the others.
        }
      }
    },
    async flush() {
      await Promise.allSettled(list.map((c) => c.flush()));
    },
    close() {
      closing ??= Promise.allSettled(list.map((c) => c.close())).then(() => undefined);
      return closing;
    },
    health: () => list.flatMap((c) => c.health()),
  };
}
