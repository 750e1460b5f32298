import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The OTLP JSON log records a browser test's stand-in ingest received, and what the tests read off them. */
export interface OtlpLog {
  timeUnixNano: string;
  body?: { stringValue?: string };
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

/** An attribute's value (string or int) by key. */
export const attr = (l: OtlpLog, key: string): string | number | undefined => {
  const v = l.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue;
};

/** Collects the log records of the OTLP JSON bodies given to `add`; `withBody` finds them by their string body. */
export function receivedLogs() {
  const logs: OtlpLog[] = [];
  return {
    logs,
    add(body: { resourceLogs?: Array<{ scopeLogs: Array<{ logRecords: OtlpLog[] }> }> }): void {
      for (const rl of body.resourceLogs ?? []) for (const sl of rl.scopeLogs) logs.push(...sl.logRecords);
    },
    withBody: (b: string): OtlpLog[] => logs.filter((l) => l.body?.stringValue === b),
  };
}

/**
 * A stand-in ingest for a browser test: POSTs under /ingest/ go to `received.add` and are answered 200 `{}`, every
 * other request to `route` (its body read already).
 */
export function standInIngest(received: { add(body: never): void }, route: (url: URL, req: IncomingMessage, res: ServerResponse) => void): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!url.pathname.startsWith('/ingest/')) return route(url, req, res);
      received.add(JSON.parse(Buffer.concat(chunks).toString('utf8')) as never);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
}
