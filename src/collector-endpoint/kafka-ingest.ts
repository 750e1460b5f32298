import type { Batch } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { Redactor } from '../shared/redact.js';
import type { WriteResult } from '../shared/result.js';
import { createKafkaBackend, loadKafkaClient, withCircuitBreaker, type AppendResult, type CircuitBreakerBackend, type Dispatcher, type KafkaModule, type KafkaSectionConfig } from '../node/engine/index.js';
import { ProduceStats, type ProduceStatsHealth } from './produce-stats.js';
import type { IngestRuntime } from './runtime.js';

/**
 * At most this many records in one produce round (more requests wait for the next): the round's messages
 * for one partition go to the broker as one record batch, which must stay under the broker's
 * message.max.bytes (1 MiB by default); 2,000 OTLP log records of a typical size are about 0.6 MB.
 */
const ROUND_RECORDS = 2000;
/** The breaker in front of the producer: this many rounds in a row unacknowledged open it for BREAKER_MS. */
const BREAKER = { threshold: 3, timeoutMs: 5000, healthCheckIntervalMs: 1000 };

export interface KafkaIngestHealth {
  brokers: string[];
  topics: { logs: string; spans: string; metrics: string };
  /** `open`: Kafka did not acknowledge the last rounds; POSTs get 503 with Retry-After at once. */
  breaker: 'closed' | 'open' | 'half_open';
  /** Requests whose records wait for the round in flight (each holds only its own records, in memory). */
  waiting_requests: number;
  produce: ProduceStatsHealth;
}

interface Waiting {
  batch: Batch;
  resolve(r: AppendResult): void;
}

/**
 * `isotel serve --role ingest`: the route's records go to Kafka instead of a write-ahead log. A request's
 * records are produced by the kafka backend of the delivery engine (idempotent producer, acks=all, one
 * produce at a time, since its sequence numbers must reach the broker in order) behind the engine's circuit
 * breaker, and the request is answered only after Kafka acknowledged them. Requests that arrive while a
 * round is in flight go together in the next round (a group commit, as the log's fsync rounds). Nothing is
 * kept once the request is answered: no disk log, no retry here; the client retries on the 503 with
 * Retry-After (docs/scaling-out.md), so the process is stateless and can be killed at any time.
 */
export async function openKafkaIngestRuntime(o: {
  kafka: KafkaSectionConfig;
  redactor: Redactor;
  diag: Diag;
  load?: () => Promise<KafkaModule>;
}): Promise<IngestRuntime & { kafkaHealth(): KafkaIngestHealth }> {
  const k = o.kafka;
  const backend = await createKafkaBackend({ brokers: k.brokers, client_id: k.client_id, topics: k.topics, partition_key: k.partition_key, compression: k.compression, timeout: k.timeout }, { dataDir: '', diag: o.diag }, o.load ?? loadKafkaClient);
  const rounds = new ProduceRounds(withCircuitBreaker(backend, { ...BREAKER, diag: o.diag }), new ProduceStats());
  const kafkaHealth = (): KafkaIngestHealth => ({ brokers: k.brokers, topics: { logs: k.topics.logs, spans: k.topics.spans, metrics: k.topics.metrics }, ...rounds.health() });
  let closing: Promise<void> | undefined;
  return {
    store: (batch) => rounds.store(batch),
    storeKind: 'kafka',
    walBytes: () => undefined,
    metricsText: () => rounds.stats.render(),
    dispatcher: NO_DISPATCHER,
    redactor: o.redactor,
    diag: o.diag,
    kafkaHealth,
    health: () => ({ status: rounds.breaker.state() === 'closed' ? 'healthy' : 'unavailable', backends: [] }),
    close: () => (closing ??= rounds.close()),
  };
}

/** No backends in this role: nothing to drain, nothing delivered here. */
const NO_DISPATCHER: Dispatcher = { health: () => [], drain: () => Promise.resolve(true), close: () => Promise.resolve() };

/** One produce at a time; the requests that arrive meanwhile go together in the next. */
class ProduceRounds {
  private waiting: Waiting[] = [];
  private busy = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    readonly breaker: CircuitBreakerBackend,
    readonly stats: ProduceStats,
  ) {}

  health() {
    return { breaker: this.breaker.state(), waiting_requests: this.waiting.length, produce: this.stats.health() };
  }

  store(batch: Batch): Promise<AppendResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'closed', message: 'the ingest is closing' });
    return new Promise<AppendResult>((resolve) => {
      this.waiting.push({ batch, resolve });
      if (!this.busy) void this.run();
    });
  }

  /** Lets the round in flight end (its requests get their answer), refuses the rest, closes the producer. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
    for (const w of this.waiting.splice(0)) w.resolve({ ok: false, reason: 'closed', message: 'the ingest is closing' });
    await this.breaker.close();
  }

  private async run(): Promise<void> {
    this.busy = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    try {
      while (this.waiting.length > 0 && !this.closed) {
        const round = this.take();
        const merged: Batch = { logs: round.flatMap((w) => w.batch.logs), spans: round.flatMap((w) => w.batch.spans), metrics: round.flatMap((w) => w.batch.metrics) };
        const t0 = performance.now();
        const result = await write(this.breaker, merged);
        this.account(result, (performance.now() - t0) / 1000, merged.logs.length + merged.spans.length + merged.metrics.length);
        for (const w of round) w.resolve(answer(result, w.batch));
      }
    } finally {
      this.busy = false;
      this.markIdle();
    }
  }

  private take(): Waiting[] {
    let n = 0;
    let i = 0;
    while (i < this.waiting.length && (i === 0 || n + size(this.waiting[i].batch) <= ROUND_RECORDS)) n += size(this.waiting[i++].batch);
    return this.waiting.splice(0, i);
  }

  private account(result: WriteResult, seconds: number, records: number): void {
    if (result.status === 'retryable') return this.stats.failed(result.reason);
    const refused = result.status === 'failure' ? result.reasons.length : 0;
    if (refused > 0 && result.status === 'failure') this.stats.refusedRecords(refused, result.reasons[0].reason);
    this.stats.acknowledged(seconds, records - refused);
  }
}

const size = (b: Batch) => b.logs.length + b.spans.length + b.metrics.length;

async function write(backend: CircuitBreakerBackend, batch: Batch): Promise<WriteResult> {
  try {
    return await backend.write(batch);
  } catch (err) {
    return { status: 'retryable', delayMs: 0, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** The round's outcome for one request: its records acknowledged, Kafka unavailable (503), or refused for good (413). */
function answer(result: WriteResult, batch: Batch): AppendResult {
  if (result.status === 'success') return { ok: true, seq: 0 };
  if (result.status === 'retryable') {
    const retryAfterSec = Math.max(1, Math.ceil((result.delayMs || BREAKER.timeoutMs) / 1000));
    return { ok: false, reason: 'io', message: `Kafka did not acknowledge the records: ${result.reason}`, retryAfterSec };
  }
  const mine = new Set([...batch.logs.map((r) => r.record_id), ...batch.spans.map((s) => `${s.trace_id}-${s.span_id}`), ...batch.metrics.map((p) => p.point_id)]);
  const refused = result.reasons.filter((r) => mine.has(r.id));
  if (refused.length === 0) return { ok: true, seq: 0 };
  return { ok: false, reason: 'too_large', message: `Kafka refused ${refused.length} record(s): ${refused[0].reason}` };
}
