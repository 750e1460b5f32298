import { describe, it, expect, afterEach } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createIngestHandler, serve, expressIngest, type RunningServer } from '../src/collector-endpoint/index.js';
import { logRecordJson, logsRequest } from './helpers/otlp.js';

/**
 * Slow clients (slowloris) against ingest.request_timeout = 2 s: a client that sends its headers and then
 * trickles the body one byte per 500 ms, or trickles the headers themselves, is cut within ~2-3 s, on
 * `isotel serve` and on an Express app's own server (which would wait 300 s).
 */
const TIMEOUT_S = 2;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function config(dir: string) {
  return {
    logger: {
      service_name: 'timeout-test',
      enable_console: false,
      data_dir: join(dir, 'data'),
      backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'ingest.jsonl') } }],
    },
    ingest: { wal_dir: join(dir, 'wal'), request_timeout: TIMEOUT_S },
  };
}

async function startServe(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-timeout-'));
  const running: RunningServer = await serve({ config: config(dir), port: 0, diagSink: () => {} });
  cleanups.push(async () => {
    running.server.closeAllConnections();
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return running.url;
}

async function startExpress(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-timeout-express-'));
  const handler = await createIngestHandler({ config: config(dir), diagSink: () => {} });
  const app = express();
  app.use('/otel', expressIngest(handler));
  const server = http.createServer(app); // Node's defaults: requestTimeout 300 s
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await handler.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/otel`;
}

interface Cut {
  seconds: number;
  answer: string;
  bytesSent: number;
}

/** Sends `head` at once, then `trickle` one byte per 500 ms; resolves when the server answers or closes. */
function slowClient(url: string, head: string, trickle: string): Promise<Cut> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let answer = '';
    let sent = 0;
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      const timer = setInterval(() => {
        if (sent >= trickle.length || socket.destroyed) return clearInterval(timer);
        socket.write(trickle[sent++], () => undefined);
      }, 500);
      socket.once('close', () => clearInterval(timer));
    });
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    socket.on('error', () => undefined); // a reset after the answer is a way of closing, too
    socket.once('close', () => resolve({ seconds: (Date.now() - t0) / 1000, answer, bytesSent: sent }));
    setTimeout(() => reject(new Error(`still connected after 15 s (sent ${sent} bytes)`)), 15_000).unref();
  });
}

const body = JSON.stringify(logsRequest([logRecordJson(1)]));
const requestHead = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ingest\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;

describe('ingest.request_timeout against slow clients', () => {
  it('isotel serve: a body trickled one byte per 500 ms is cut at the timeout with 408', async () => {
    const url = await startServe();
    const cut = await slowClient(url, requestHead('/v1/logs'), body);
    expect(cut.seconds).toBeGreaterThan(TIMEOUT_S - 0.3);
    expect(cut.seconds).toBeLessThan(TIMEOUT_S + 1.2);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.bytesSent).toBeLessThan(10);
  });

  it('isotel serve: headers trickled one byte per 500 ms are cut at the timeout', async () => {
    const url = await startServe();
    const head = requestHead('/v1/logs');
    const cut = await slowClient(url, head.slice(0, 20), head.slice(20));
    expect(cut.seconds).toBeGreaterThan(TIMEOUT_S - 0.3);
    expect(cut.seconds).toBeLessThan(TIMEOUT_S + 1.2);
    expect(cut.answer === '' || cut.answer.startsWith('HTTP/1.1 408 ')).toBe(true);
  });

  it('Express adapter: the ingest cuts a trickled body at its timeout although the app server would wait 300 s', async () => {
    const url = await startExpress();
    const cut = await slowClient(url, requestHead('/otel/v1/logs'), body);
    expect(cut.seconds).toBeGreaterThan(TIMEOUT_S - 0.3);
    expect(cut.seconds).toBeLessThan(TIMEOUT_S + 1.2);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.answer).toContain('ingest.request_timeout');
  });

  it('a request that arrives in time is stored as before', async () => {
    const url = await startServe();
    const res = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
  });
});
