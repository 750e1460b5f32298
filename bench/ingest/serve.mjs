// The servers of the ingest benchmark, each a child process on a loopback port: `isotel serve` (the built CLI,
// as users run it) and the JSONL floor (floor.mjs).
import { spawn } from 'node:child_process';
import { writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', '..', 'dist', 'collector', 'cli.js');

/** Writes the YAML: one backend, a rate limit out of the way, the write-ahead log in `dir`; `ingestYaml`: more ingest keys. */
export function writeConfig(dir, backendYaml, ingestYaml = '') {
  const file = join(dir, 'isotel.yaml');
  writeFileSync(file, `
logger:
  service_name: bench-ingest
  enable_console: false
  data_dir: ${dir}/data
  backends:
${backendYaml}
ingest:
  wal_dir: ${dir}/wal
  rate_limit: { records_per_second: 100000000, burst: 100000000 }
${ingestYaml}`);
  return file;
}

/** `extraArgs`: node's (before the script); `serveArgs`: the CLI's, e.g. ['--role', 'ingest']. */
export function startServe(configFile, logFile, extraArgs = [], serveArgs = []) {
  return startListening('isotel serve', [...extraArgs, CLI, 'serve', '--config', configFile, '--port', '0', ...serveArgs], logFile);
}

/** The JSONL floor server, appending to `file`. */
export function startFloor(file, logFile) {
  return startListening('the JSONL floor', [join(HERE, 'floor.mjs'), file], logFile);
}

/** Starts `node ...args`, resolves once it prints "listening on URL"; stderr goes to `logFile`. */
export async function startListening(name, args, logFile) {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', out] });
  closeSync(out);
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start; see ${logFile}`)), 120_000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${readFileSync(logFile, 'utf8').slice(-2000)}`));
    });
  });
  child.stdout.resume();
  return {
    url,
    child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
