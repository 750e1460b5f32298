/**
 * The positions of one Kafka partition whose records a partition file holds: the offsets of messages written
 * whole, as sorted disjoint intervals, and for messages written in part (a sink batch ended inside one, or some
 * of its records never reached this file) the intervals of their record indices. A record is in the file
 * exactly when its position is in here: the set is saved with the file's length after every append
 * (partition-file.ts), so the two never disagree.
 *
 * Small in practice: writers read a partition in offset order, so the intervals merge; only a message that never
 * reaches the file whole (undecodable, empty, or whose records a writer's dedupe window dropped) leaves a gap.
 * Past MAX_ENTRIES the lowest entries are forgotten: a record of them offered again would be written again
 * (a duplicate, never a loss), and that takes a writer coming back with a backlog from before thousands of gaps.
 */
export const MAX_ENTRIES = 4096;

type Interval = [number, number];
interface Partial {
  count: number;
  indices: Interval[];
}
export interface WrittenPositionsJson {
  done: Interval[];
  part: Array<[offset: number, count: number, indices: Interval[]]>;
}

/** Adds [a, b] to sorted disjoint intervals, merging neighbours (b + 1 === next start counts as touching). */
export function addInterval(list: Interval[], a: number, b: number): void {
  const last = list[list.length - 1];
  if (!last || a > last[1] + 1) {
    list.push([a, b]); // the common case: past the end
    return;
  }
  let i = 0;
  while (i < list.length && list[i][1] + 1 < a) i++;
  let lo = a;
  let hi = b;
  let j = i;
  while (j < list.length && list[j][0] <= b + 1) {
    lo = Math.min(lo, list[j][0]);
    hi = Math.max(hi, list[j][1]);
    j++;
  }
  list.splice(i, j - i, [lo, hi]);
}

export function inIntervals(list: readonly Interval[], x: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (x < list[mid][0]) hi = mid - 1;
    else if (x > list[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export class WrittenPositions {
  private done: Interval[] = [];
  private part = new Map<number, Partial>();

  static from(json: WrittenPositionsJson | undefined): WrittenPositions {
    const w = new WrittenPositions();
    if (!json) return w;
    w.done = json.done.map(([a, b]) => [a, b]);
    for (const [offset, count, indices] of json.part) w.part.set(offset, { count, indices: indices.map(([a, b]) => [a, b]) });
    return w;
  }

  has(offset: number, index: number): boolean {
    if (inIntervals(this.done, offset)) return true;
    const p = this.part.get(offset);
    return p !== undefined && inIntervals(p.indices, index);
  }

  /** Record `index` of the `count` of the message at `offset` is in the file. */
  add(offset: number, index: number, count: number): void {
    if (inIntervals(this.done, offset)) return;
    let p = this.part.get(offset);
    if (!p) this.part.set(offset, (p = { count, indices: [] }));
    addInterval(p.indices, index, index);
    if (p.indices.length === 1 && p.indices[0][0] === 0 && p.indices[0][1] >= p.count - 1) {
      this.part.delete(offset);
      addInterval(this.done, offset, offset);
    }
  }

  /** Forgets the lowest entries past MAX_ENTRIES; returns how many were forgotten. */
  prune(max = MAX_ENTRIES): number {
    let dropped = 0;
    while (this.done.length + this.part.size > max) {
      const lowPart = this.part.size > 0 ? Math.min(...this.part.keys()) : Infinity;
      if (this.done.length > 0 && this.done[0][0] < lowPart) this.done.shift();
      else this.part.delete(lowPart);
      dropped++;
    }
    return dropped;
  }

  toJSON(): WrittenPositionsJson {
    return { done: this.done, part: [...this.part].map(([o, p]) => [o, p.count, p.indices]) };
  }
}
