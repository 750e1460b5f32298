import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/**
 * `node demo/server.mjs` as a real child process: detached (its own process group), output appended to a
 * file, a watchdog that ends it when the test process is gone, and `unref`'d so it can never keep the test
 * process alive. `stop` (SIGTERM, then SIGKILL) and `kill` (SIGKILL: a crash) address the group by its id.
 */
export interface DemoServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Graceful: SIGTERM (the demo flushes and closes), SIGKILL after `graceMs`. Resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
  /** A crash: SIGKILL at once. Resolves when it exited. */
  kill(): Promise<void>;
  /** The last lines of the server's output, for error messages. */
  tail(lines?: number): string;
}

export interface DemoOptions {
  port: number;
  /** ISOTEL_DEMO_DATA: the WAL and the loggers' spill files. */
  dataDir: string;
  /** ISOTEL_DEMO_LOGS: the JSONL backend's files. */
  logDir: string;
  /** stdout and stderr are appended here. */
  outFile: string;
  backend?: 'jsonl' | 'postgres' | 'elasticsearch' | 'all';
  /** `--config file.yaml` instead of `--backend`. */
  config?: string;
  startTimeoutMs?: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const WATCHDOG = join(HERE, 'parent-watchdog.mjs');
const live = new Set<ChildProcess>();

// Last resort when afterAll never runs (the worker is torn down): kill what is still running, synchronously.
process.once('exit', () => {
  for (const child of live) signalGroup(child, 'SIGKILL');
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the group this child leads (detached), i.e. the demo and nothing else
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: it exited meanwhile
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function tailOf(file: string, lines: number): string {
  if (!existsSync(file)) return `(${file} does not exist)`;
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return `--- last ${Math.min(lines, all.length)} lines of ${file} ---\n${all.slice(-lines).join('\n')}`;
}

export async function startDemo(o: DemoOptions): Promise<DemoServer> {
  if (!existsSync(join(ROOT, 'dist', 'browser', 'isotel.global.js')) || !existsSync(join(ROOT, 'dist', 'node', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the browser tests (npm test does)');
  }
  // The demo's metrics ports (9464, 9465 by default) are free ones, so parallel runs do not collide; a test that
  // scrapes them sets them in process.env first.
  const metricsPorts = {
    ISOTEL_DEMO_APP_METRICS_PORT: process.env.ISOTEL_DEMO_APP_METRICS_PORT ?? String(await freePort()),
    ISOTEL_DEMO_PROMETHEUS_PORT: process.env.ISOTEL_DEMO_PROMETHEUS_PORT ?? String(await freePort()),
  };
  const out = openSync(o.outFile, 'a');
  const child = spawn(process.execPath, ['--import', WATCHDOG, join(ROOT, 'demo', 'server.mjs'), ...(o.config ? ['--config', o.config] : ['--backend', o.backend ?? 'all']), '--port', String(o.port)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...metricsPorts, ISOTEL_DEMO_DATA: o.dataDir, ISOTEL_DEMO_LOGS: o.logDir, ISOTEL_E2E_PARENT_PID: String(process.pid), ISOTEL_DEBUG: '' },
  });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start the demo server; see ${o.outFile}`);
  live.add(child);
  child.once('exit', () => live.delete(child));

  const url = `http://127.0.0.1:${o.port}`;
  const server: DemoServer = {
    url,
    port: o.port,
    pid: child.pid,
    async stop(graceMs = 15_000) {
      signalGroup(child, 'SIGTERM');
      if (await exited(child, graceMs)) return;
      signalGroup(child, 'SIGKILL');
      await exited(child, 5_000);
    },
    async kill() {
      signalGroup(child, 'SIGKILL');
      if (!(await exited(child, 5_000))) throw new Error(`demo server ${child.pid} did not exit after SIGKILL`);
    },
    tail: (lines = 40) => tailOf(o.outFile, lines),
  };
  try {
    await waitFor(
      `the demo server on ${url}`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the demo server exited (${child.exitCode ?? child.signalCode}) before it answered`);
        }
        const res = await fetch(`${url}/api/offline`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.ok;
      },
      { timeoutMs: o.startTimeoutMs ?? 60_000, intervalMs: 200, detail: () => server.tail() },
    );
  } catch (err) {
    await server.kill().catch(() => undefined); // reporting the start failure matters more than this
    throw err;
  }
  return server;
}

/** Sets the demo's simulated outage (the ingest answers 503 to every POST while it is on). */
export async function setDemoOffline(server: DemoServer, on: boolean): Promise<void> {
  const res = await fetch(`${server.url}/api/offline?on=${on ? 1 : 0}`, { method: 'POST' });
  const body = (await res.json()) as { offline?: unknown };
  if (body.offline !== on) throw new Error(`the demo did not switch offline=${on}: ${JSON.stringify(body)}`);
}
