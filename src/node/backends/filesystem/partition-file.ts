import { promises as fsp, constants as fsc, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { SourcePosition } from '../../engine/source.js';
import type { LineId } from './json-lines.js';
import { lockPartitionFile } from './partition-lock.js';
import { WrittenPositions, type WrittenPositionsJson } from './written-positions.js';
import { IdTail, readTailIds } from './id-tail.js';

/**
 * The JSONL file of one Kafka partition's records of one signal (`app.kafka-<topic>-<partition>.jsonl` beside
 * `app.jsonl`), written by whichever writer of the consumer group offers them: each record once.
 *
 * Beside it, `<file>.state` holds the file's committed length and the positions (offset, index) of the records
 * in it (written-positions.ts), replaced atomically (write, rename) after every append, under the file's lock
 * (partition-lock.ts). An append, under the lock: read the state; cut the file back to the committed length
 * (lines past it are from a holder killed before its state was saved: their records were not acknowledged to
 * its engine and are offered again); skip each record whose position is in the state (a message read again after
 * a rebalance or a restart: the exact case, whatever the distance) or whose id is among the last `windowBytes`
 * of the file's lines (the same record in another message: a client's re-send through another ingest, as the
 * ingest's own dedupe window catches on one node); write the rest; save the state. So the file holds a record
 * exactly when the state says so, and a position is written at most once.
 */
export interface PartitionFileOptions {
  maxBytes: number;
  backupCount: number;
  fsync: boolean;
  windowBytes?: number;
}

/** One record to write: its line (ending in '\n'), its id as `lineId` reads it back, and where it was read. */
export interface SourcedLine {
  line: string;
  id: string;
  pos: SourcePosition;
}

interface State {
  v: 1;
  size: number;
  /** Rotations so far: a changed value means the file this process knew is now a backup. */
  rot: number;
  /** Appends so far: an unchanged value means nobody else wrote since this process did. */
  gen: number;
  pos: WrittenPositionsJson;
}

/** Lines written; skipped because their position was written (a message read again), or their id (a re-send). */
export interface AppendOutcome {
  written: number;
  byPosition: number;
  byId: number;
}

/**
 * The id window of each partition file: ~23,000 lines of 350 bytes, seconds of one partition at high rates (a
 * re-send follows its original by about a client's retry delay). Per partition file a process has written to,
 * in memory: ~2 MB of ids.
 */
export const PARTITION_WINDOW_BYTES = 8 * 1024 * 1024;

const stemOf = (base: string) => (base.endsWith('.jsonl') ? base.slice(0, -'.jsonl'.length) : base);

/** `logs/app.jsonl` → `logs/app.kafka-<topic>-<partition>.jsonl` (spans: `app.spans.kafka-…`, beside `app.spans.jsonl`). */
export function partitionFileName(base: string, topic: string, partition: number): string {
  return `${stemOf(base)}.kafka-${topic}-${partition}.jsonl`;
}

/**
 * The partition files of `base` and their backups on disk, with `own` (the base's own files, its current one
 * last), oldest first by modification time: what a reader of the files reads (search, the index). Just `own`
 * when there are none.
 */
export function withPartitionFiles(base: string, own: string[]): string[] {
  const dir = path.dirname(base);
  const prefix = `${path.basename(stemOf(base))}.kafka-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && /-\d+\.jsonl(\.\d+)?$/.test(n));
  } catch {
    return own;
  }
  if (names.length === 0) return own;
  const mtime = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const all = [...own.slice(0, -1), ...names.map((n) => path.join(dir, n))].map((f) => ({ f, t: mtime(f) }));
  // The base's current file stays last: the index keeps its directory beside the last file (index-files.ts).
  return [...all.sort((a, b) => a.t - b.t).map((x) => x.f), ...own.slice(-1)];
}

export class PartitionFile {
  private chain: Promise<unknown> = Promise.resolve();
  private known: { state: State; positions: WrittenPositions } | undefined;
  private readonly ids: IdTail;

  constructor(
    readonly file: string,
    private readonly o: PartitionFileOptions,
    private readonly idOf: LineId,
  ) {
    this.ids = new IdTail(o.windowBytes ?? PARTITION_WINDOW_BYTES);
  }

  /** Appends what the file does not hold yet; one append at a time in this process, under the lock across processes. */
  append(lines: SourcedLine[]): Promise<AppendOutcome> {
    const run = this.chain.then(() => this.appendLocked(lines));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async appendLocked(lines: SourcedLine[]): Promise<AppendOutcome> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const lock = await lockPartitionFile(this.file);
    try {
      const state = await this.sync();
      const positions = this.known!.positions;
      const keep: string[] = [];
      const fresh: string[] = [];
      const seen = new Set<string>();
      let byPosition = 0;
      for (const l of lines) {
        const written = positions.has(l.pos.offset, l.pos.index);
        const dup = written || this.ids.has(l.id) || seen.has(l.id);
        positions.add(l.pos.offset, l.pos.index, l.pos.count); // in the file now, by this line or an earlier one
        if (written) byPosition++;
        if (dup) continue;
        seen.add(l.id);
        keep.push(l.line);
        fresh.push(l.id);
      }
      positions.prune();
      const chunk = Buffer.from(keep.join(''), 'utf8');
      if (chunk.length > 0) await this.writeAt(chunk, state.size);
      let next: State = { v: 1, size: state.size + chunk.length, rot: state.rot, gen: state.gen + 1, pos: positions.toJSON() };
      if (next.size >= this.o.maxBytes) {
        await this.rotate();
        next = { ...next, size: 0, rot: next.rot + 1 };
      }
      await this.saveState(next);
      this.known = { state: next, positions };
      this.ids.addAll(fresh, chunk.length);
      return { written: keep.length, byPosition, byId: lines.length - keep.length - byPosition };
    } catch (err) {
      this.known = undefined; // read everything again from disk next time
      throw err;
    } finally {
      await lock.release();
    }
  }

  /** The state on disk, the file cut back to it, and this process's id window brought up to date with it. */
  private async sync(): Promise<State> {
    let state = await this.readState();
    const size = (await fsp.stat(this.file).catch(() => null))?.size ?? 0;
    if (size < state.size) {
      // Shorter than committed: a holder rotated it and was killed before saving the state (the lines are in .1).
      state = { ...state, size: 0, rot: state.rot + 1 };
    } else if (size > state.size) {
      await fsp.truncate(this.file, state.size); // a holder killed between its write and its state
    }
    const k = this.known;
    if (k && k.state.gen === state.gen && k.state.rot === state.rot) return state;
    if (k && k.state.rot === state.rot && k.state.size <= state.size && state.size - k.state.size <= this.ids.windowBytes) {
      // Another writer appended since: its lines' ids join the window.
      const added = await readTailIds([this.file], this.idOf, state.size - k.state.size, state.size, true);
      this.ids.addAll(added.ids, added.bytes);
    } else {
      this.ids.clear();
      const added = await readTailIds(this.backups(), this.idOf, this.ids.windowBytes, state.size);
      this.ids.addAll(added.ids, added.bytes);
    }
    this.known = { state, positions: WrittenPositions.from(state.pos) };
    return state;
  }

  private async readState(): Promise<State> {
    try {
      const s = JSON.parse(await fsp.readFile(`${this.file}.state`, 'utf8')) as State;
      if (s.v === 1 && Number.isInteger(s.size)) return s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return { v: 1, size: 0, rot: 0, gen: 0, pos: { done: [], part: [] } };
  }

  private async saveState(s: State): Promise<void> {
    const tmp = `${this.file}.state.${process.pid}`;
    const h = await fsp.open(tmp, 'w');
    try {
      await h.writeFile(JSON.stringify(s));
      if (this.o.fsync) await h.sync();
    } finally {
      await h.close();
    }
    await fsp.rename(tmp, `${this.file}.state`);
  }

  private async writeAt(chunk: Buffer, at: number): Promise<void> {
    const h = await fsp.open(this.file, fsc.O_WRONLY | fsc.O_CREAT, 0o644);
    try {
      for (let off = 0; off < chunk.length; ) off += (await h.write(chunk, off, chunk.length - off, at + off)).bytesWritten;
      if (this.o.fsync) await h.sync();
    } finally {
      await h.close();
    }
  }

  /** Oldest first, the current file last. */
  private backups(): string[] {
    const out: string[] = [];
    for (let i = this.o.backupCount; i >= 1; i--) out.push(`${this.file}.${i}`);
    out.push(this.file);
    return out;
  }

  private async rotate(): Promise<void> {
    const n = this.o.backupCount;
    if (n <= 0) return fsp.truncate(this.file, 0);
    await fsp.rm(`${this.file}.${n}`, { force: true });
    for (let k = n - 1; k >= 1; k--) await fsp.rename(`${this.file}.${k}`, `${this.file}.${k + 1}`).catch(ignoreMissing);
    await fsp.rename(this.file, `${this.file}.1`);
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
}
