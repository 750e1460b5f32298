import type { Batch } from '../../shared/model.js';
import type { BackendHealth } from '../backends/types.js';
import type { DeliveryChannel } from './delivery.js';

export interface FanOut {
  /** Hands the batch to every channel; never blocks, never throws. Channels only read the batch. */
  enqueue(batch: Batch): void;
  /** Resolves when every channel has flushed (each is bounded: a down backend's records go to its disk). */
  flush(): Promise<void>;
  /** Closes every channel; idempotent. */
  close(): Promise<void>;
  health(): BackendHealth[];
}

/**
 * Every backend gets every record through its own delivery channel, so a slow or down backend only fills
 * its own queue and spool: the others keep their pace.
 */
export function createFanOut(channels: readonly DeliveryChannel[]): FanOut {
  const list = [...channels];
  let closing: Promise<void> | undefined;
  return {
    enqueue(batch) {
      for (const c of list) {
        try {
          c.enqueue(batch);
        } catch {
          // DeliveryChannel.enqueue never throws by contract (it reports to diag itself); this guard only keeps
          // one misbehaving channel from starving the others.
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
    health: () => list.map((c) => c.health()),
  };
}
