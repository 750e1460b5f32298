/**
 * Queue entries to request bodies of at most `maxBytes` (60 KB by default, inside the page's 64 KiB
 * keepalive budget): logs, spans and metrics apart, packed by estimate, then measured exactly; a body that is too
 * large is split in halves, and a single record that alone is too large is reported as such, so the sender
 * drops it with the reason `too_large` rather than let it block the queue. (Such a record needs several
 * 16 KB strings: the sanitizer caps each one. Cutting it down to size instead cost 0.3 KB gzipped.)
 */
import type { LogRecord } from '../../shared/model.js';
import { encodeLogs, groupOtlp } from '../../shared/otlp/encode.js';
import type { OtlpMetricRecord, OtlpSpanRecord } from '../../shared/otlp/types.js';
import type { KeyedEntry } from '../queue/types.js';
import { utf8Length } from '../utf8.js';
import type { Signal } from './url.js';

export const MAX_BATCH_BYTES = 60_000;

export interface Chunk {
  signal: Signal;
  entries: KeyedEntry[];
  body: string;
  /** UTF-8 length of body. */
  bytes: number;
}

export interface ChunkResult {
  chunks: Chunk[];
  /** Keys of records that alone are larger than a body. */
  tooLarge: string[];
}

// OTLP JSON spells each attribute as {"key":..,"value":{"stringValue":..}}: about 1.5x the model's JSON.
const estimate = (e: KeyedEntry): number => (e[1].bytes || JSON.stringify(e[1].record).length) * 1.5 + 32;

function encode(signal: Signal, records: unknown[]): string {
  return JSON.stringify(signal === 'logs' ? encodeLogs(records as LogRecord[]) : groupOtlp(records as OtlpSpanRecord[] | OtlpMetricRecord[], signal === 'traces' ? 'Spans' : 'Metrics'));
}

export function chunkEntries(entries: KeyedEntry[], maxBytes: number = MAX_BATCH_BYTES): ChunkResult {
  const result: ChunkResult = { chunks: [], tooLarge: [] };

  const emit = (signal: Signal, group: KeyedEntry[]): void => {
    const body = encode(signal, group.map((e) => e[1].record));
    const bytes = utf8Length(body);
    if (bytes <= maxBytes) {
      result.chunks.push({ signal, entries: group, body, bytes });
    } else if (group.length > 1) {
      const mid = group.length >> 1;
      emit(signal, group.slice(0, mid));
      emit(signal, group.slice(mid));
    } else {
      result.tooLarge.push(group[0][0]);
    }
  };

  const pack = (signal: Signal, list: KeyedEntry[]): void => {
    let group: KeyedEntry[] = [];
    let est = 0;
    for (const e of list) {
      const b = estimate(e);
      if (group.length > 0 && est + b > maxBytes) {
        emit(signal, group);
        group = [];
        est = 0;
      }
      group.push(e);
      est += b;
    }
    if (group.length > 0) emit(signal, group);
  };

  pack('logs', entries.filter((e) => e[1].kind === 'log'));
  pack('traces', entries.filter((e) => e[1].kind === 'span'));
  pack('metrics', entries.filter((e) => e[1].kind === 'metric'));
  return result;
}
