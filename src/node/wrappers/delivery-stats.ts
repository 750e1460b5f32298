import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage, type WriteResult } from '../../shared/result.js';
import type { BackendHealth } from '../backends/types.js';
import { recordCount, recordsById } from './batch-utils.js';
import type { DeadLetter } from './dead-letter.js';

/**
 * The accounting of a delivery channel, as health() reports it. Every record enqueued ends up in exactly one
 * of delivered, dead_lettered, dropped or waiting (in memory or on disk), so the numbers add up.
 */
export class DeliveryStats {
  delivered = 0;
  deadLettered = 0;
  dropped = 0;
  lastError: string | undefined;
  lastErrorAt: string | undefined;

  constructor(
    private readonly name: string,
    private readonly diag: Diag,
    private readonly deadLetter: DeadLetter,
    private readonly now: () => number,
  ) {}

  error(message: string): void {
    this.lastError = message;
    this.lastErrorAt = new Date(this.now()).toISOString();
  }

  /** Records lost for good: counted, visible in health(), reported on the diag channel. */
  drop(n: number, reason: string): void {
    this.dropped += n;
    this.error(`${n} record(s) dropped: ${reason}`);
    this.diag.count('delivery.dropped', n);
    this.diag.error(`${this.name}: records dropped: ${reason}`);
  }

  /** Counts a batch the backend answered for (success, or failure: the listed records go to the dead-letter file). */
  async answered(batch: Batch, result: Exclude<WriteResult, { status: 'retryable' }>): Promise<void> {
    const n = recordCount(batch);
    if (result.status === 'success' || result.reasons.length === 0) {
      this.delivered += n;
      return;
    }
    const reasons = result.reasons;
    const refused = recordsById(batch, reasons.map((r) => r.id)).size;
    this.delivered += n - refused;
    this.error(`${reasons.length} record(s) refused for good (first: ${reasons[0].reason})`);
    this.diag.count('delivery.dead_lettered', refused);
    try {
      await this.deadLetter.write(this.name, reasons, batch);
      this.deadLettered += refused;
    } catch (err) {
      this.drop(refused, `refused by the backend, and the dead-letter file failed: ${errorMessage(err)}`);
    }
  }

  health(state: BackendHealth['state'], waitingOnDisk: number): BackendHealth {
    const h: BackendHealth = {
      name: this.name,
      state,
      waiting_on_disk: waitingOnDisk,
      delivered: this.delivered,
      dead_lettered: this.deadLettered,
      dropped: this.dropped,
    };
    if (this.lastError !== undefined) h.last_error = this.lastError;
    if (this.lastErrorAt !== undefined) h.last_error_at = this.lastErrorAt;
    return h;
  }
}
