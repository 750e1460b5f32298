// `isotel serve` as a child process for the ingest benchmark (the built CLI, as users run it).
import { spawn } from 'node:child_process';
import { writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'collector', 'cli.js');

/** Writes the YAML: one backend, a rate limit out of the way, the write-ahead log in `dir`. */
export function writeConfig(dir, backendYaml) {
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
`);
  return file;
}

export async function startServe(configFile, logFile, extraArgs = []) {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...extraArgs, CLI, 'serve', '--config', configFile, '--port', '0'], { stdio: ['ignore', 'pipe', out] });
  closeSync(out);
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`isotel serve did not start; see ${logFile}`)), 30_000);
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
      reject(new Error(`isotel serve exited with ${code}: ${readFileSync(logFile, 'utf8').slice(-2000)}`));
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
