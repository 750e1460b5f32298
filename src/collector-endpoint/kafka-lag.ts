/**
 * A writer's consumer lag, per partition: the group's committed offset (from the group coordinator, so the
 * whole group's progress, not only this member's partitions) against the partition's high watermark (from its
 * leader). Read every `intervalMs` (unref'd) with @platformatic/kafka's `listOffsets` and
 * `listCommittedOffsets`, kept for /health and /metrics, which stay synchronous.
 */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's next offset to read; null when the group has committed nothing there yet. */
  committed: number | null;
  high_watermark: number;
  /** Messages not yet committed: high watermark − committed (the whole partition when nothing is committed). */
  lag: number;
}

export interface LagSnapshot {
  partitions: PartitionLag[];
  total: number;
  at?: string;
  error?: string;
}

interface OffsetsClient {
  listOffsets(o: { topics: string[] }): Promise<Map<string, bigint[]>>;
  listCommittedOffsets(o: { topics: Array<{ topic: string; partitions: number[] }> }): Promise<Map<string, bigint[]>>;
}

export interface LagMonitor {
  snapshot(): LagSnapshot;
  render(): string;
  stop(): void;
}

export function startLagMonitor(client: OffsetsClient, topics: string[], intervalMs = 5000): LagMonitor {
  let last: LagSnapshot = { partitions: [], total: 0 };
  let running = false;
  const poll = async () => {
    if (running) return;
    running = true;
    try {
      last = { ...(await readLag(client, topics)), at: new Date().toISOString() };
    } catch (err) {
      last = { ...last, error: err instanceof Error ? err.message : String(err) };
    } finally {
      running = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    snapshot: () => last,
    render: () => renderLag(last),
    stop: () => clearInterval(timer),
  };
}

export async function readLag(client: OffsetsClient, topics: string[]): Promise<{ partitions: PartitionLag[]; total: number }> {
  const high = await client.listOffsets({ topics });
  const committed = await client.listCommittedOffsets({ topics: [...high].map(([topic, p]) => ({ topic, partitions: p.map((_, i) => i) })) });
  const partitions: PartitionLag[] = [];
  for (const [topic, offsets] of high) {
    offsets.forEach((hw, partition) => {
      const c = committed.get(topic)?.[partition];
      const known = c !== undefined && c >= 0n;
      partitions.push({ topic, partition, committed: known ? Number(c) : null, high_watermark: Number(hw), lag: Math.max(0, Number(hw - (known ? c : 0n))) });
    });
  }
  return { partitions, total: partitions.reduce((n, p) => n + p.lag, 0) };
}

export function renderLag(s: LagSnapshot): string {
  const name = 'isotel_kafka_consumer_lag';
  const lines = [`# HELP ${name} Messages of the partition not yet committed by the writers' group (high watermark - committed offset).`, `# TYPE ${name} gauge`];
  for (const p of s.partitions) lines.push(`${name}{topic="${p.topic}",partition="${p.partition}"} ${p.lag}`);
  return `${lines.join('\n')}\n`;
}
