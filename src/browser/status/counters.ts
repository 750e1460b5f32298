/** What health() reports besides the queue size: every drop is counted with its reason (house rule 8). */
export interface Counters {
  inFlight: number;
  delivered: number;
  beaconed: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  lastError?: string;
  drop(reason: string, n: number): void;
}

export function createCounters(): Counters {
  const c: Counters = {
    inFlight: 0,
    delivered: 0,
    beaconed: 0,
    dropped: {},
    droppedTotal: 0,
    drop(reason, n) {
      if (n <= 0) return;
      c.dropped[reason] = (c.dropped[reason] || 0) + n;
      c.droppedTotal += n;
    },
  };
  return c;
}
