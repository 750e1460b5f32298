/**
 * The ids the ingest accepted recently: a bounded first-in-first-out set. An id leaves it when it is older
 * than the window or when `maxIds` newer ids came after it, whichever is first. A Map from id to its
 * acceptance second answers `has`; a ring of the same ids in acceptance order says which leaves next, so
 * every removal is O(1). (A Map iterator kept as the cursor instead would cost nothing per id but keep each
 * outgrown hash table alive until it moves on: measured +40 bytes an id while the window fills.)
 */
export interface IdWindowOptions {
  /** At most this many ids are remembered; 0 remembers none. */
  maxIds: number;
  /** An id is remembered for this many seconds after it was accepted; 0 remembers none. */
  windowSeconds: number;
  /** Monotonic milliseconds (tests inject theirs). */
  now?: () => number;
}

export class IdWindow {
  // Measured by bench/dedupe-window.ts (Node 20 x64, 100,000 ids): 86-111 bytes an id, ~47 for the Map entry
  // and its ring slot (lru-cache 11's entry: 53 without a ttl, 70 with one) and 40-64 for the id's flat string.
  private readonly ids = new Map<string, number>();
  /** The ids in acceptance order from `oldest`, wrapping at maxIds; grows up to maxIds slots. */
  private readonly ring: string[] = [];
  private oldest = 0;
  private readonly scratch = Buffer.allocUnsafe(256);
  private readonly now: () => number;
  private readonly start: number;

  constructor(private readonly opts: IdWindowOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
  }

  get enabled(): boolean {
    return this.opts.maxIds > 0 && this.opts.windowSeconds > 0;
  }

  /** Ids in the window now. */
  get size(): number {
    this.expire();
    return this.ids.size;
  }

  /**
   * Was this id accepted within the window, as of the last expire() or add()? (One clock read per request
   * rather than per record: call expire() before a request's lookups.)
   */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers ids accepted now, each as a flat copy; the oldest leave when the bound is passed. */
  add(ids: Iterable<string>): void {
    if (!this.enabled) return;
    this.expire();
    const second = this.second();
    const max = this.opts.maxIds;
    for (const id of ids) {
      if (this.ids.has(id)) continue;
      if (this.ids.size === max) this.removeOldest();
      const copy = this.flat(id); // one copy, in the Map and in the ring
      this.ids.set(copy, second);
      const slot = (this.oldest + this.ids.size - 1) % max;
      if (slot === this.ring.length) this.ring.push(copy);
      else this.ring[slot] = copy;
    }
  }

  /**
   * An id as decoded can be a rope: a protobuf uid is built a character at a time (~450 bytes for 24
   * characters, measured) and a derived id is a concatenation. The window keeps a flat copy (40 bytes),
   * made through one scratch buffer: ~200 ns, against ~350 for Buffer.from per id.
   */
  private flat(id: string): string {
    if (id.length > this.scratch.length) return id;
    const n = this.scratch.write(id, 0, 'latin1');
    const copy = this.scratch.toString('latin1', 0, n);
    return copy === id ? copy : id; // not latin1 (never for a valid id): kept as it is rather than changed
  }

  /** Whole seconds since the window opened: a small integer, stored in the Map entry itself (not boxed). */
  private second(): number {
    return Math.max(0, Math.floor((this.now() - this.start) / 1000)) | 0;
  }

  /** Forgets the ids older than the window. */
  expire(): void {
    if (this.ids.size === 0) return;
    const oldestAllowed = this.second() - this.opts.windowSeconds;
    while (this.ids.size > 0 && (this.ids.get(this.ring[this.oldest]) ?? 0) <= oldestAllowed) this.removeOldest();
  }

  private removeOldest(): void {
    this.ids.delete(this.ring[this.oldest]);
    this.ring[this.oldest] = '';
    this.oldest = (this.oldest + 1) % this.opts.maxIds;
  }
}
