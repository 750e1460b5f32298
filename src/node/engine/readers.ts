import * as path from 'node:path';
import { createCursorStore, comparePos, type Position } from './cursor.js';

/** One consumer of the log: its committed cursor and how many appended records it has not delivered. */
export interface ReaderState {
  cursor: Position;
  waiting: number;
}

/** The log's consumers and their cursor files (`<dir>/cursors/<name>.json`). */
export class Readers {
  private readonly state = new Map<string, ReaderState>();
  private readonly cursors;

  constructor(dir: string) {
    this.cursors = createCursorStore(path.join(dir, 'cursors'));
  }

  get(name: string): ReaderState | undefined {
    return this.state.get(name);
  }

  entries(): IterableIterator<[string, ReaderState]> {
    return this.state.entries();
  }

  values(): IterableIterator<ReaderState> {
    return this.state.values();
  }

  /** Starts `name` at its saved cursor when `usable` accepts it, else at `fallback`; `count` gives its waiting. */
  async open(name: string, fallback: Position, usable: (p: Position) => boolean, count: (from: Position) => Promise<number>): Promise<void> {
    if (this.state.has(name)) return;
    const saved = await this.cursors.load(name);
    const cursor = saved && usable(saved) ? saved : fallback;
    this.state.set(name, { cursor, waiting: await count(cursor) });
  }

  /** Forgets `name` and its cursor file; false when there was no such reader. */
  async remove(name: string): Promise<boolean> {
    if (!this.state.delete(name)) return false;
    await this.cursors.remove(name);
    return true;
  }

  async move(name: string, to: Position): Promise<void> {
    const s = this.state.get(name);
    if (s) s.cursor = to;
    await this.cursors.save(name, to);
  }

  /** Every reader has these many more records to deliver. */
  appended(records: number): void {
    for (const s of this.state.values()) s.waiting += records;
  }

  /** The cursor furthest behind. */
  min(): Position | undefined {
    let min: Position | undefined;
    for (const s of this.state.values()) if (!min || comparePos(s.cursor, min) < 0) min = s.cursor;
    return min;
  }
}
