import { crc32 } from 'node:zlib';
import type { Batch, LogRecord, MetricPoint, SpanRecord } from '../../shared/model.js';
import { recordCount } from './batch-utils.js';
import { applySourceTuples, sourceTuples } from './source.js';

/**
 * The write-ahead log's on-disk frame: a 12-byte header (payload length, CRC-32 of the payload, record
 * count) then the payload, the batch as UTF-8 JSON. The CRC finds a torn or corrupt tail after a crash; the
 * count lets a reader count waiting records from headers alone, without parsing payloads.
 *
 * The payload stores each distinct resource and scope object once (`t`), and records refer to them by
 * index: a resource is a fifth to a third of a record's JSON, and parsing a frame back gives the records of
 * one resource one shared object again, as the ingest handed them over (backends rely on that identity).
 * Frames written before this (records carrying their objects inline) still decode.
 */
export const HEADER_BYTES = 12;

export interface Frame {
  seq: number;
  batch: Batch;
  count: number;
}

type Shared = { resource: unknown; scope: unknown };

/**
 * The batch as the frame's JSON. Each record's resource and scope are swapped for their index in the table
 * while JSON.stringify runs, then put back: synchronous, so nothing can observe the swap, and it spares a
 * copy of every record (measured 1.6 µs per record against 1.9 µs with copies, 2.2 µs with objects inline).
 */
function frameJson(seq: number, batch: Batch): string {
  const table: object[] = [];
  const index = new Map<object, number>();
  const ref = (o: unknown): unknown => {
    if (typeof o !== 'object' || o === null) return o;
    let i = index.get(o);
    if (i === undefined) {
      i = table.push(o) - 1;
      index.set(o, i);
    }
    return i;
  };
  const records = [...batch.logs, ...batch.spans, ...batch.metrics] as unknown as Shared[];
  const saved = new Array<unknown>(records.length * 2);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    saved[2 * i] = r.resource;
    saved[2 * i + 1] = r.scope;
    r.resource = ref(r.resource);
    r.scope = ref(r.scope);
  }
  // `k`: where each record was read from, for records from a Kafka partition only (source.ts).
  const k = sourceTuples(records);
  try {
    return JSON.stringify({ s: seq, t: table, l: batch.logs, p: batch.spans, m: batch.metrics, k });
  } finally {
    for (let i = 0; i < records.length; i++) {
      records[i].resource = saved[2 * i];
      records[i].scope = saved[2 * i + 1];
    }
  }
}

/** A frame as its header and payload, written together by writev (no copy into one buffer). */
export interface EncodedFrame {
  parts: [header: Buffer, payload: Buffer];
  length: number;
  /** The records in it (also in the header). */
  count: number;
}

export function encodeFrame(seq: number, batch: Batch): EncodedFrame {
  const payload = Buffer.from(frameJson(seq, batch), 'utf8');
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  const count = recordCount(batch);
  header.writeUInt32LE(count, 8);
  return { parts: [header, payload], length: HEADER_BYTES + payload.length, count };
}

export interface FrameHeader {
  length: number;
  crc: number;
  count: number;
}

export function readHeader(buf: Buffer, at: number): FrameHeader | undefined {
  if (buf.length - at < HEADER_BYTES) return undefined;
  return { length: buf.readUInt32LE(at), crc: buf.readUInt32LE(at + 4), count: buf.readUInt32LE(at + 8) };
}

function resolve(records: Shared[], table: readonly object[]): void {
  for (const r of records) {
    if (typeof r.resource === 'number') r.resource = table[r.resource];
    if (typeof r.scope === 'number') r.scope = table[r.scope];
  }
}

/**
 * Parses a frame's payload; undefined when the CRC or JSON does not hold (a torn write). `share` maps each
 * resource/scope object of the frame to the one to use (the log's interner), once per distinct object.
 */
export function decodePayload(payload: Buffer, header: FrameHeader, share?: <T extends object>(o: T) => T): Frame | undefined {
  if (crc32(payload) !== header.crc) return undefined;
  // `m` (metric points) is absent from frames written before metrics were a signal.
  let o: { s: number; t?: object[]; l: LogRecord[]; p: SpanRecord[]; m?: MetricPoint[]; k?: unknown };
  try {
    o = JSON.parse(payload.toString('utf8')) as typeof o;
  } catch {
    return undefined; // the CRC matched but the JSON does not parse: treated as damage, like a CRC mismatch
  }
  if (Array.isArray(o.t)) {
    const table = share ? o.t.map((x) => share(x)) : o.t;
    resolve(o.l as unknown as Shared[], table);
    resolve(o.p as unknown as Shared[], table);
    if (o.m) resolve(o.m as unknown as Shared[], table);
  }
  if (o.k !== undefined) applySourceTuples([...o.l, ...o.p, ...(o.m ?? [])], o.k);
  return { seq: o.s, batch: { logs: o.l, spans: o.p, metrics: o.m ?? [] }, count: header.count };
}
