import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

/**
 * Reads a request body with a hard byte limit on what goes over the wire AND on what decompression
 * produces (a 5 MB gzip bomb must not become 5 GB in memory), and a time limit (`timeoutMs`): a body that
 * trickles in slower is a 408, whatever server the ingest is mounted on (an Express or Fastify app's own
 * server allows 300 s). Resolves with a typed outcome, never throws.
 */
export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; status: 400 | 408 | 413 | 415; reason: string };

export async function readBody(req: IncomingMessage, maxBytes: number, timeoutMs = 30_000): Promise<BodyResult> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    req.resume();
    return { ok: false, status: 415, reason: `unsupported content-encoding "${encoding}" (gzip, deflate or none)` };
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return { ok: false, status: 413, reason: `body of ${declared} bytes is over the limit of ${maxBytes}` };
  }
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    let settled = false;
    const finish = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!r.ok) {
        req.unpipe();
        decoder?.destroy();
        // Drain what is left so the connection can answer; a sender too slow for the timeout is not waited
        // for: the caller closes its connection.
        if (r.status !== 408) req.resume();
      }
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, status: 408, reason: `the request did not arrive within ${timeoutMs / 1000} s (ingest.request_timeout)` }),
      timeoutMs,
    );
    timer.unref();
    const source = decoder ?? req;
    req.on('data', (c: Buffer) => {
      wire += c.length;
      if (wire > maxBytes) finish({ ok: false, status: 413, reason: `body is over the limit of ${maxBytes} bytes` });
    });
    req.on('error', () => finish({ ok: false, status: 400, reason: 'the request body could not be read' }));
    if (decoder) {
      req.pipe(decoder);
      decoder.on('error', () => finish({ ok: false, status: 400, reason: `body is not valid ${encoding}` }));
      decoder.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) finish({ ok: false, status: 413, reason: `decompressed body is over the limit of ${maxBytes} bytes` });
        else chunks.push(c);
      });
    } else {
      req.on('data', (c: Buffer) => {
        if (!settled) chunks.push(c);
      });
    }
    source.on('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
  });
}

/** The body kind from Content-Type: OTLP JSON (also as text/plain, what sendBeacon sends), or protobuf. */
export function bodyKind(contentType: string | undefined): 'json' | 'protobuf' | undefined {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/json' || ct === 'text/plain') return 'json';
  if (ct === 'application/x-protobuf' || ct === 'application/protobuf') return 'protobuf';
  return undefined;
}
