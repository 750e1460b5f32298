import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * A lock file held around one append to a partition file, by the processes of one machine (writers of one
 * consumer group sharing the JSONL directory). `<file>.lock` holds the holder's pid from the moment it exists:
 * it is written under a private name and hard-linked into place (link fails with EEXIST when held), so there
 * is never an empty lock to guess about. A holder that died (SIGKILL) is seen at once by its pid and its lock
 * taken over, unlike a lock that goes stale by age (proper-lockfile's mkdir + mtime: seconds of a partition
 * blocked after every kill). Taking over is itself done under `<file>.lock.takeover` (created exclusively,
 * held for a stat and an unlink), so two processes finding the same dead holder cannot both remove the lock
 * and both win; a takeover lock older than 5 s is from a process killed in those microseconds.
 *
 * The pid check is why this holds on one machine only: writers on other machines must not share the directory.
 */
export interface PartitionLock {
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let acquisitions = 0;

export async function lockPartitionFile(file: string, timeoutMs = 30_000, pid = process.pid): Promise<PartitionLock> {
  const lock = `${file}.lock`;
  const mine = `${lock}.${pid}-${acquisitions++}`; // one per acquisition: two files of one process never share it
  await fsp.writeFile(mine, String(pid));
  try {
    const end = Date.now() + timeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      try {
        await fsp.link(mine, lock);
        return { release: () => fsp.rm(lock, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (await takeOverIfDead(lock)) continue;
      if (Date.now() > end) throw new Error(`${lock} is held by process ${await holderOf(lock)} for more than ${timeoutMs / 1000} s`);
      await sleep(wait);
    }
  } finally {
    await fsp.rm(mine, { force: true });
  }
}

/** Removes `lock` when its holder is gone; true when it did (or the lock went away meanwhile). */
async function takeOverIfDead(lock: string): Promise<boolean> {
  const holder = await holderOf(lock);
  if (holder === undefined) return true; // released meanwhile
  if (isAlive(holder)) return false;
  const guard = `${lock}.takeover`;
  try {
    await fsp.writeFile(guard, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const st = await fsp.stat(guard).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 5000) await fsp.rm(guard, { force: true });
    return false;
  }
  try {
    // Under the guard nobody else removes the lock; only its holder releasing it can change it, and a new
    // holder is alive: so the same dead pid read again means the same stale lock.
    if ((await holderOf(lock)) === holder) {
      await fsp.rm(lock, { force: true });
      await removePrivateCopies(lock, holder);
    }
    return true;
  } finally {
    await fsp.rm(guard, { force: true });
  }
}

/** The dead holder's private copies (`<lock>.<pid>-<n>`), left by the kill. */
async function removePrivateCopies(lock: string, holder: number): Promise<void> {
  const prefix = `${path.basename(lock)}.${holder}-`;
  const names = await fsp.readdir(path.dirname(lock)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fsp.rm(path.join(path.dirname(lock), n), { force: true })));
}

async function holderOf(lock: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await fsp.readFile(lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : -1;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return true; // unreadable content: never written by this code (the pid is there from the start)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
