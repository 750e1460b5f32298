import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { promisify } from 'node:util';

/**
 * Stopping and starting the shared test servers for the outage tests (test/backend-outages.test.ts).
 * Other integration files run before or after, never during (the integration project runs files one at a
 * time), so every test that stops a server restores it in a finally, and the file's afterAll calls
 * `ensureServicesUp` whatever happened.
 */
const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const ES_URL = 'http://127.0.0.1:9200';
// Where scripts/elasticsearch.sh keeps its pid file (its CACHE and RUN_DIR for port 9200).
const ES_CACHE = process.env.ISOTEL_CACHE ?? (process.getuid?.() === 0 ? '/var/cache/isotel' : `${homedir()}/.cache/isotel`);
const ES_PID_FILE = `${ES_CACHE}/es-run/elasticsearch.pid`;

async function sh(file: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: ROOT, timeout: 240_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export async function elasticsearchAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`${ES_URL}/_cluster/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false; // refused or timed out: that is the answer
  }
}

/** SIGKILL, not a clean shutdown: the server vanishes mid-request as in a crash. Then waits for the port. */
export async function killElasticsearch(): Promise<void> {
  let pid: number | undefined;
  try {
    pid = Number.parseInt(readFileSync(ES_PID_FILE, 'utf8'), 10);
  } catch {
    pid = undefined; // no pid file (started another way): the script's stop finds it by its port
  }
  if (pid && pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  await sh('bash', ['scripts/elasticsearch.sh', 'stop']);
  if (await elasticsearchAnswers()) throw new Error('Elasticsearch still answers after being killed');
}

/** Starts Elasticsearch (idempotent) and waits until it is yellow; resolves with the seconds it took. */
export async function startElasticsearch(): Promise<number> {
  const t0 = Date.now();
  await sh('bash', ['scripts/elasticsearch.sh', 'start']);
  return (Date.now() - t0) / 1000;
}

function pgVersion(): string {
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  if (!v) throw new Error('/etc/postgresql holds no cluster');
  return v;
}

export async function postgresAnswers(): Promise<boolean> {
  try {
    await run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], { timeout: 10_000 });
    return true;
  } catch {
    return false; // pg_isready exits non-zero when the server does not accept connections
  }
}

/** A fast shutdown: sessions are disconnected and 127.0.0.1:5432 refuses connections until the start. */
export async function stopPostgres(): Promise<void> {
  await sh('pg_ctlcluster', ['--skip-systemctl-redirect', '--mode', 'fast', pgVersion(), 'main', 'stop']);
  if (await postgresAnswers()) throw new Error('PostgreSQL still accepts connections after the stop');
}

export async function startPostgres(): Promise<void> {
  if (!(await postgresAnswers())) await sh('pg_ctlcluster', ['--skip-systemctl-redirect', pgVersion(), 'main', 'start']);
  for (let i = 0; i < 60 && !(await postgresAnswers()); i++) await sleep(500);
  if (!(await postgresAnswers())) throw new Error('PostgreSQL did not accept connections within 30 s of its start');
}

/** Both servers up, whatever a test left behind. */
export async function ensureServicesUp(): Promise<void> {
  const errors: string[] = [];
  await startPostgres().catch((err: Error) => errors.push(err.message));
  if (!(await elasticsearchAnswers())) await startElasticsearch().catch((err: Error) => errors.push(err.message));
  if (errors.length > 0) throw new Error(`could not restore the test servers: ${errors.join('; ')}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
