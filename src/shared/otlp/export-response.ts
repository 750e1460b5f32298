import { Reader } from './protobuf-reader.js';

/** What an OTLP/HTTP receiver's 2xx answer says it did not store. */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/**
 * The `partial_success` of an Export{Logs,Trace,Metrics}ServiceResponse, from the body of a 2xx answer in
 * either encoding. The three messages share the layout: field 1 `partial_success` { 1: rejected count
 * (int64: rejected_log_records | rejected_spans | rejected_data_points), 2: error_message }. An empty body
 * (OTLP/HTTP allows it) or one that is not a response: undefined, i.e. everything stored.
 */
export function parsePartialSuccess(body: Uint8Array, contentType: string | null): PartialSuccess | undefined {
  if (body.length === 0) return undefined;
  try {
    return /json/i.test(contentType ?? '') || body[0] === 0x7b ? fromJson(body) : fromProtobuf(body);
  } catch {
    return undefined;
  }
}

function fromJson(body: Uint8Array): PartialSuccess | undefined {
  const ps = (JSON.parse(new TextDecoder().decode(body)) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
  if (!ps) return undefined;
  const rejected = Number(ps.rejectedLogRecords ?? ps.rejectedSpans ?? ps.rejectedDataPoints ?? 0);
  return { rejected: Number.isFinite(rejected) ? rejected : 0, errorMessage: String(ps.errorMessage ?? '') };
}

function fromProtobuf(body: Uint8Array): PartialSuccess | undefined {
  const r = new Reader(body);
  let out: PartialSuccess | undefined;
  while (r.pos < body.length) {
    const tag = r.tag(body.length);
    if (tag !== ((1 << 3) | 2)) {
      r.skip(tag & 7, body.length);
      continue;
    }
    const end = r.lengthEnd(body.length);
    out = { rejected: 0, errorMessage: '' };
    while (r.pos < end) {
      const t = r.tag(end);
      if (t === 1 << 3) {
        r.varint(end);
        out.rejected = Number(r.int64());
      } else if (t === ((2 << 3) | 2)) out.errorMessage = r.string(end, 'error_message');
      else r.skip(t & 7, end);
    }
  }
  return out;
}
