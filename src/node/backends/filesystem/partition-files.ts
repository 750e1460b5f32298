import { spanId, type Batch } from '../../../shared/model.js';
import { sourceOf } from '../../engine/source.js';
import { logLine, logLineId, spanLine, spanLineId, type LineId } from './json-lines.js';
import { metricLine, metricLineId } from './metric-lines.js';
import { PartitionFile, partitionFileName, type AppendOutcome, type PartitionFileOptions, type SourcedLine } from './partition-file.js';

/**
 * The filesystem backend's path for records read from a Kafka partition (`isotel serve --role writer`): each
 * to the file of its signal, topic and partition (partition-file.ts), so that every writer of the consumer
 * group sharing the directory writes each record once. Records without a source (every other path) are left
 * to the backend's own files, untouched.
 */
export class PartitionFiles {
  private readonly open = new Map<string, PartitionFile>();

  constructor(
    private readonly bases: { logFile: string; spansFile: string; metricsFile: string },
    private readonly options: PartitionFileOptions,
  ) {}

  /** The batch's records without a source (the same batch when none has one), and the others by file. */
  split(batch: Batch): { rest: Batch; groups: Map<PartitionFile, SourcedLine[]> } {
    const groups = new Map<PartitionFile, SourcedLine[]>();
    if (!anySourced(batch)) return { rest: batch, groups };
    const rest: Batch = { logs: [], spans: [], metrics: [] };
    const kinds = [
      [batch.logs, rest.logs, this.bases.logFile, logLineId, logLine, (r: Batch['logs'][number]) => r.record_id],
      [batch.spans, rest.spans, this.bases.spansFile, spanLineId, spanLine, (r: Batch['spans'][number]) => spanId(r)],
      [batch.metrics, rest.metrics, this.bases.metricsFile, metricLineId, metricLine, (r: Batch['metrics'][number]) => r.point_id],
    ] as unknown as Array<[object[], object[], string, LineId, (r: object) => string, (r: object) => string]>;
    for (const [records, left, base, lineId, line, id] of kinds) {
      for (const r of records) {
        const pos = sourceOf(r);
        if (!pos) {
          left.push(r);
          continue;
        }
        const f = this.fileFor(partitionFileName(base, pos.topic, pos.partition), lineId);
        let g = groups.get(f);
        if (!g) groups.set(f, (g = []));
        g.push({ line: line(r), id: id(r), pos });
      }
    }
    return { rest, groups };
  }

  /** Every group appended (each file under its lock); rejects with the first failure once all have settled. */
  async write(groups: Map<PartitionFile, SourcedLine[]>): Promise<AppendOutcome> {
    const settled = await Promise.allSettled([...groups].map(([f, lines]) => f.append(lines)));
    const sum: AppendOutcome = { written: 0, byPosition: 0, byId: 0 };
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      sum.written += s.value.written;
      sum.byPosition += s.value.byPosition;
      sum.byId += s.value.byId;
    }
    return sum;
  }

  private fileFor(file: string, lineId: LineId): PartitionFile {
    let f = this.open.get(file);
    if (!f) this.open.set(file, (f = new PartitionFile(file, this.options, lineId)));
    return f;
  }
}

function anySourced(batch: Batch): boolean {
  for (const list of [batch.logs, batch.spans, batch.metrics] as object[][]) for (const r of list) if (sourceOf(r)) return true;
  return false;
}
