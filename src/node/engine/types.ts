import type { Batch } from '../../shared/model.js';
import type { BackendHealth } from '../backends/types.js';

/**
 * What the logger hands its records to: the engine's durable log (network sinks), or a local file writer.
 * `enqueue` never blocks and never throws.
 */
export interface DeliveryChannel {
  readonly name: string;
  enqueue(batch: Batch): void;
  /** Resolves when everything enqueued before the call is delivered, refused, or durably on disk. */
  flush(): Promise<void>;
  /** flush, then stop timers and close the sinks; idempotent. */
  close(): Promise<void>;
  health(): BackendHealth;
}

/** The engine's face to the logger: one health entry per sink. */
export type SinkGroup = Omit<DeliveryChannel, 'health'> & { health(): BackendHealth | BackendHealth[] };
