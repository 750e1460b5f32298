import type { Batch } from '../shared/model.js';
import type { BatchTarget } from './record-buffer.js';
import { recordCount } from './engine/batch-utils.js';

/**
 * Where records go while configureLogger opens the backends: the instrumentations are enabled before that
 * (synchronously, so they patch libraries before the app loads them), and a span that ends meanwhile (an
 * early request, a query at start-up) waits here, then is handed to the backends in order. Bounded: beyond
 * `maxRecords` records are dropped and counted.
 */
export class PendingTarget implements BatchTarget {
  private batches: Batch[] = [];
  private held = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly onDrop: (n: number) => void,
  ) {}

  enqueue(batch: Batch): void {
    const n = recordCount(batch);
    if (this.held + n > this.maxRecords) {
      this.onDrop(n);
      return;
    }
    this.held += n;
    this.batches.push(batch);
  }

  /** Hands everything held to `target`, oldest first, and forgets it. */
  replayInto(target: BatchTarget): void {
    const batches = this.batches;
    this.batches = [];
    this.held = 0;
    for (const b of batches) target.enqueue(b);
  }
}
