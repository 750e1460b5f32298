import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `isotel serve` as a real child process (the built CLI), started detached with its output in a file. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export const CLI = join(__dirname, '..', '..', 'dist', 'collector', 'cli.js');

export function writeYaml(file: string, yaml: string): string {
  writeFileSync(file, yaml);
  return file;
}

/** `args`: more command-line arguments, e.g. `['--role', 'ingest']`; `startMs`: how long to wait for "listening". */
export async function startServe(configFile: string, logFile: string, port = 0, args: string[] = [], startMs = 30_000): Promise<ServeProcess> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', out],
    env: { ...process.env, ISOTEL_DEBUG: '' },
  });
  closeSync(out);
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`isotel serve did not start in ${startMs / 1000} s; see ${logFile}`)), startMs);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // The log's end in the error: a test's temporary directory (and the file) may be gone when it is read.
      reject(new Error(`isotel serve exited with ${code}; see ${logFile}, which ends:\n${tail(logFile)}`));
    });
  });
  child.stdout!.resume();
  return {
    url,
    child,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(unreadable)';
  }
}
