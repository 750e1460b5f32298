#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { serve } from './serve.js';

const USAGE = `usage: isotel serve --config isotel.yaml [--port 4318] [--host 127.0.0.1] [--role all|ingest|writer]

Runs the OTLP/HTTP ingest: POST /v1/logs, POST /v1/traces, GET /v1/traces/{trace_id}, GET /health, GET /metrics,
the query API (GET /api/services, /api/traces, /api/logs, ...) and the explorer at GET /ui/.
The YAML is the logger's (logger.backends are where records go) plus an ingest: section.
--role all (the default): one process accepts, writes ahead to its own disk and delivers to the backends.
--role ingest: the HTTP route only; each request's records are produced to the Kafka topics of the kafka:
  section (acks=all, idempotent) and the request is answered once Kafka acknowledged them, 503 with
  Retry-After while Kafka is unreachable. No write-ahead log, no backends: stateless.
--role writer: also consumes the Kafka topics of the kafka: section (brokers, group_id, topics) into the
  backends, committing offsets once the records are in the write-ahead log (docs/scaling-out.md).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { config: { type: 'string', short: 'c' }, port: { type: 'string', short: 'p' }, host: { type: 'string' }, role: { type: 'string', default: 'all' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`isotel serve: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`isotel serve: --port must be 0..65535, got "${values.port}"\n`);
    return 2;
  }
  const role = values.role;
  if (role !== 'all' && role !== 'writer' && role !== 'ingest') {
    process.stderr.write(`isotel serve: --role must be all, ingest or writer, got "${role}"\n`);
    return 2;
  }
  let running;
  try {
    running = await serve({ configFile: values.config, config: values.config ? undefined : { logger: {}, ingest: {} }, port, host: values.host, role });
  } catch (err) {
    process.stderr.write(`isotel serve: ${(err as Error).message}\n`);
    return 1;
  }
  const roleNote = role === 'writer' ? ' (and consuming Kafka as a writer)' : role === 'ingest' ? ' (producing to Kafka, role ingest)' : '';
  process.stdout.write(`isotel ingest listening on ${running.url}${roleNote}\n`);
  const stop = (signal: string) => {
    process.stdout.write(`isotel ingest: ${signal}, draining and closing\n`);
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`isotel: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
