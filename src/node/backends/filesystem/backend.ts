import type { Batch, LogRecord, SpanRecord } from '../../../shared/model.js';
import { SUCCESS, retryable, errorMessage, type WriteResult } from '../../../shared/result.js';
import { type Backend, type BackendContext, type TraceResult, type TraceSummary } from '../types.js';
import { linesToChunk, type RotatingFile, type RotatingFileOptions } from './rotating-file.js';
import { acquireFile } from './shared-files.js';
import { encodeLogChunk, logLineId, spanLine, spanLineId } from './json-lines.js';
import { dedupe, spanKey } from './read-records.js';
import { filesystemSearch, recentTraces } from './span-search.js';
import { JsonlIndex } from './index-files.js';
import { recordsOfTrace } from './indexed-reads.js';
import { defaultMetricsFile, metricLine, metricLineId } from './metric-lines.js';
import { recordCount } from '../../engine/batch-utils.js';
import { PartitionFiles } from './partition-files.js';
import { withPartitionFiles } from './partition-file.js';
import type { TraceSearch } from '../trace-search.js';

/** `backend_type: filesystem` — rotating JSONL files, the embedded default that needs nothing installed. */
export interface FilesystemBackendOptions {
  log_file: string;
  /** Where spans go; default: the log file's name with `.spans.jsonl`. */
  spans_file?: string;
  /** Where metric points go, one per line; default: the log file's name with `.metrics.jsonl`. */
  metrics_file?: string;
  max_bytes?: number;
  backup_count?: number;
  fsync?: boolean;
}

export const FILESYSTEM_DEFAULTS = { max_bytes: 10 * 1024 * 1024, backup_count: 5 } as const;

export function defaultSpansFile(logFile: string): string {
  return logFile.endsWith('.jsonl') ? `${logFile.slice(0, -'.jsonl'.length)}.spans.jsonl` : `${logFile}.spans.jsonl`;
}

/** A batch already serialized, so the records themselves can be garbage-collected at once. */
export interface PreparedFileBatch {
  logs?: Buffer;
  spans?: Buffer;
  metrics?: Buffer;
  count: number;
  bytes: number;
}

/**
 * The filesystem backend also splits a write in two: `prepare` serializes synchronously (called when records
 * are handed over, so a burst of a million log calls holds a million short strings' worth of buffers instead
 * of a million record objects) and `writePrepared` does the I/O. See file-channel.ts.
 */
export interface FilesystemBackend extends Backend {
  /** The files and rotation, for a writer on another thread (file-writer/) that appends to the same files. */
  readonly files: { logFile: string; spansFile: string; metricsFile: string; rotation: RotatingFileOptions };
  /**
   * Whether another backend of this thread has one of these files open too: then every write must go through
   * this backend's shared file (one writer, one rotation; shared-files.ts), not through a thread of its own.
   */
  sharesFiles(): boolean;
  prepare(batch: Batch): PreparedFileBatch;
  writePrepared(prepared: PreparedFileBatch): Promise<WriteResult>;
}

/** Whether `b` is a filesystem backend made by createFilesystemBackend (a class check, not duck typing). */
export function isFilesystemBackend(b: Backend): b is FilesystemBackend {
  return b instanceof FilesystemSink;
}

export async function createFilesystemBackend(options: FilesystemBackendOptions, ctx?: BackendContext): Promise<FilesystemBackend> {
  const rotation = {
    maxBytes: options.max_bytes ?? FILESYSTEM_DEFAULTS.max_bytes,
    backupCount: options.backup_count ?? FILESYSTEM_DEFAULTS.backup_count,
    fsync: options.fsync ?? false,
  };
  const metricsFile = options.metrics_file ?? defaultMetricsFile(options.log_file);
  const files = { logFile: options.log_file, spansFile: options.spans_file ?? defaultSpansFile(options.log_file), metricsFile, rotation };
  // Shared with any other backend of this process on the same path: one writer, one rotation. Each skips the
  // lines of a replay (a batch sent again after a crash or a failed write) by record id: replay-guard.ts.
  const logsFile = acquireFile(files.logFile, rotation, logLineId);
  const spansFile = acquireFile(files.spansFile, rotation, spanLineId);
  // Opened on its first point: a service that records no metrics gets no empty metrics file.
  const pointsFile = acquireFile(files.metricsFile, rotation, metricLineId);
  const all = [logsFile, spansFile, pointsFile];
  for (const f of all) if (f.conflict) ctx?.diag.warn(`filesystem backend: ${f.conflict}`);
  // Fail fast on a path we cannot write (a configuration error), not on the first log call.
  await Promise.all([logsFile.file.open(), spansFile.file.open()]).catch(async (err: unknown) => {
    await Promise.all(all.map((f) => f.release())).catch(() => undefined);
    throw new Error(`filesystem backend: cannot write ${options.log_file} (check log_file): ${errorMessage(err)}`);
  });
  return new FilesystemSink(files, { logs: logsFile, spans: spansFile, metrics: pointsFile }, ctx);
}

type Acquired = ReturnType<typeof acquireFile>;

class FilesystemSink implements FilesystemBackend {
  readonly name = 'filesystem';
  readonly signals = ['log', 'span', 'metric'] as const;
  private closed = false;
  private readonly logs: RotatingFile;
  private readonly spans: RotatingFile;
  private readonly points: RotatingFile;
  readonly search: TraceSearch;
  /** The files' index, built by this reader for what it has not indexed yet (index-files.ts). */
  private readonly logIndex: JsonlIndex;
  private readonly spanIndex: JsonlIndex;
  /** Records read from a Kafka partition: a file per partition, each record once across writers (partition-files.ts). */
  private readonly partitions: PartitionFiles;

  constructor(
    readonly files: FilesystemBackend['files'],
    private readonly acquired: Record<'logs' | 'spans' | 'metrics', Acquired>,
    private readonly ctx: BackendContext | undefined,
  ) {
    this.logs = acquired.logs.file;
    this.spans = acquired.spans.file;
    this.points = acquired.metrics.file;
    // Reads cover the files of Kafka partitions too, when a writer of a consumer group wrote some (partition-files.ts).
    const logFiles = () => withPartitionFiles(files.logFile, this.logs.files());
    const spanFiles = () => withPartitionFiles(files.spansFile, this.spans.files());
    this.logIndex = new JsonlIndex(logFiles, 'logs', ctx?.diag);
    this.spanIndex = new JsonlIndex(spanFiles, 'spans', ctx?.diag);
    this.search = filesystemSearch(this.spanIndex, this.logIndex, logFiles, undefined, () => withPartitionFiles(files.metricsFile, this.points.files()));
    this.partitions = new PartitionFiles(files, { ...files.rotation, fsync: !!files.rotation.fsync });
  }

  sharesFiles(): boolean {
    return Object.values(this.acquired).some((a) => a.shared());
  }

  prepare(batch: Batch): PreparedFileBatch {
    const p: PreparedFileBatch = { count: recordCount(batch), bytes: 0 };
    if (batch.logs.length > 0) p.logs = encodeLogChunk(batch.logs);
    if (batch.spans.length > 0) p.spans = linesToChunk(batch.spans.map(spanLine));
    if (batch.metrics.length > 0) p.metrics = linesToChunk(batch.metrics.map(metricLine));
    p.bytes = (p.logs?.length ?? 0) + (p.spans?.length ?? 0) + (p.metrics?.length ?? 0); // held in memory until written
    return p;
  }

  async writePrepared(p: PreparedFileBatch): Promise<WriteResult> {
    if (this.closed) return retryable('filesystem backend is closed');
    // All settled before answering: a retry must find whatever any file took of this batch.
    const files = [this.logs, this.spans, this.points];
    const chunks = [p.logs, p.spans, p.metrics];
    const settled = await Promise.allSettled(files.map((f, i) => chunks[i] && f.appendChunk(chunks[i])));
    for (const f of files) this.report(f);
    const failed = settled.find((r) => r.status === 'rejected');
    if (!failed) return SUCCESS;
    // The batch is sent again, with the lines the other files did take: all read their tails first.
    for (const f of files) f.suspect();
    return retryable(`filesystem backend: ${errorMessage(failed.reason)}`, 1000);
  }

  async write(batch: Batch): Promise<WriteResult> {
    let p: PreparedFileBatch;
    let sourced: ReturnType<PartitionFiles['split']>['groups'];
    try {
      const split = this.partitions.split(batch);
      sourced = split.groups;
      p = this.prepare(split.rest);
    } catch (err) {
      return retryable(`filesystem backend: ${errorMessage(err)}`, 1000);
    }
    if (sourced.size > 0) {
      if (this.closed) return retryable('filesystem backend is closed');
      try {
        const { byPosition, byId } = await this.partitions.write(sourced);
        if (byPosition + byId > 0) {
          this.ctx?.diag.count('filesystem.partition_lines_skipped', byPosition + byId);
          // Read again (a rebalance, a writer killed before its offset commit), or the same record in another message.
          this.ctx?.diag.warn(`filesystem: partition file lines already written skipped: ${byPosition} by position, ${byId} by id`);
        }
      } catch (err) {
        return retryable(`filesystem backend: ${errorMessage(err)}`, 1000);
      }
      if (p.count === 0) return SUCCESS;
    }
    return this.writePrepared(p);
  }

  async flush(): Promise<void> {
    await Promise.all([this.logs.idle(), this.spans.idle(), this.points.idle()]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(Object.values(this.acquired).map((a) => a.release()));
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  listTraces(limit: number): Promise<TraceSummary[]> {
    return recentTraces(this.spanIndex, limit);
  }

  async getTrace(traceId: string): Promise<TraceResult> {
    const [l, s] = await Promise.all([recordsOfTrace<LogRecord>(this.logIndex, traceId), recordsOfTrace<SpanRecord>(this.spanIndex, traceId)]);
    l.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    s.sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0));
    return { logs: dedupe(l, (r) => r.record_id), spans: dedupe(s, spanKey) };
  }

  private report(f: RotatingFile): void {
    const n = f.takeSkipped();
    if (n === 0) return;
    this.ctx?.diag.count('filesystem.replayed_lines_skipped', n);
    this.ctx?.diag.warn(`filesystem: ${n} line${n === 1 ? '' : 's'} already in ${f.file} skipped (sent again after a restart or a failed write)`);
  }
}
