/**
 * Queue entries to request bodies of at most `maxBytes` (60 KB by default, inside the page's 64 KiB
 * keepalive budget): logs and spans apart, packed by estimate, then measured exactly; a body that is too
 * large is split in halves, and a single record that alone is too large is shrunk (shrink.ts) or, if
 * even that fails, reported as too large so the sender drops it with a reason.
 */
import type { LogRecord } from '../../shared/model.js';
import { encodeLogs, groupSpans } from '../../shared/otlp/encode.js';
import type { OtlpSpanRecord } from '../../shared/otlp/types.js';
import type { KeyedEntry } from '../queue/types.js';
import { utf8Length } from '../utf8.js';
import { shrinkRecord } from './shrink.js';
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
  /** Keys of records that cannot be sent even shrunk. */
  tooLarge: string[];
  /** Records sent shrunk. */
  truncated: number;
}

// OTLP JSON spells each attribute as {"key":..,"value":{"stringValue":..}}: about 1.5x the model's JSON.
const estimate = (e: KeyedEntry): number => (e[1].bytes || JSON.stringify(e[1].record).length) * 1.5 + 32;

function encode(signal: Signal, records: unknown[]): string {
  return JSON.stringify(signal === 'logs' ? encodeLogs(records as LogRecord[]) : groupSpans(records as OtlpSpanRecord[]));
}

export function chunkEntries(entries: KeyedEntry[], maxBytes: number = MAX_BATCH_BYTES): ChunkResult {
  const result: ChunkResult = { chunks: [], tooLarge: [], truncated: 0 };

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
      const [key, entry] = group[0];
      const size = (r: LogRecord | OtlpSpanRecord): number => utf8Length(encode(signal, [r]));
      const shrunk = shrinkRecord(entry.record, size, maxBytes);
      if (!shrunk) {
        result.tooLarge.push(key);
        return;
      }
      result.truncated++;
      const one = encode(signal, [shrunk]);
      result.chunks.push({ signal, entries: [[key, Object.assign({}, entry, { record: shrunk })]], body: one, bytes: utf8Length(one) });
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
  return result;
}
