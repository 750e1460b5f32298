import { backoffDelay } from '../../shared/backoff.js';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import type { BackendHealth } from '../backends/types.js';
import { isFromWriter, type FromWriter } from './protocol.js';
import type { WriterThread } from './spawn.js';
import type { ChunkPool, Chunk } from './chunks.js';
import type { ChunkQueue } from './queue.js';

/** Restarts of a dead writer thread that flush() waits for and that keep the process alive. */
const RESTARTS_AWAITED = 3;

export interface WriterLinkOptions {
  /** Starts a thread (at start-up, and again each time one dies). */
  spawn: () => WriterThread;
  queue: ChunkQueue;
  pool: ChunkPool;
  health: BackendHealth;
  diag: Diag;
}

/**
 * The threaded channel's side of its writer thread (channel.ts): one thread at a time, given the queue's chunks
 * as the window allows and read for acknowledgements; a thread that dies is restarted after a backoff and given
 * its unacknowledged chunks again; closing hands over what is left and ends it.
 */
export class WriterLink {
  readonly queue: ChunkQueue;
  readonly pool: ChunkPool;
  readonly health: BackendHealth;
  readonly diag: Diag;
  private readonly spawn: () => WriterThread;
  private thread: WriterThread;
  private ready = false; // the current thread answered `ready`
  private exited = false; // the current thread is gone
  private closedByThread = false;
  private live = false; // start-up succeeded: from now on a thread that dies is restarted
  private closingNow = false;
  private failingNow = false;
  /** The thread died and a new one is due (not a disk failure: flush waits for the restart). */
  private restarting = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private wake: Array<() => void> = [];
  private threadClosed: Promise<void> | undefined;

  constructor(options: WriterLinkOptions) {
    this.spawn = options.spawn;
    this.queue = options.queue;
    this.pool = options.pool;
    this.health = options.health;
    this.diag = options.diag;
    this.thread = this.launch();
    this.updateRef();
  }

  /** closeThread() has begun: nothing more is taken. */
  get closing(): boolean {
    return this.closingNow;
  }

  /** The thread reports failing writes (cleared by the next successful one). */
  get failing(): boolean {
    return this.failingNow;
  }

  /** Waits for the first thread's `ready`; rejects (after ending it) when it exits first or does not answer. */
  async started(timeoutMs: number): Promise<void> {
    await this.until(() => this.ready || this.exited, timeoutMs);
    if (!this.ready) {
      this.thread.port.close();
      await this.thread.worker.terminate();
      const why = this.health.last_error ?? (this.exited ? 'it exited before it was ready' : `no answer in ${timeoutMs} ms`);
      throw new Error(`the file writer thread did not start: ${why}`);
    }
    this.live = true;
    this.updateRef();
  }

  /**
   * Until everything handed over is written, unless the file is failing or the thread keeps dying: then it
   * returns rather than hang the caller. A thread that died once is restarted and awaited.
   */
  async drained(): Promise<void> {
    this.poll();
    await this.until(() => this.queue.settled || this.failingNow || (this.restarting && this.restarts > RESTARTS_AWAITED), Number.POSITIVE_INFINITY);
  }

  /** Acknowledgements arrive while the application logs in a loop: take them without waiting for the event loop. */
  readonly poll = (): void => {
    for (let r = receiveMessageOnPort(this.thread.port); r; r = receiveMessageOnPort(this.thread.port)) {
      if (isFromWriter(r.message)) this.handle(r.message);
    }
  };

  /** A chunk that holds lines joins the queue and goes to the thread if it can; an empty one is reused. */
  settle(c: Chunk): void {
    if (c.count === 0) return this.pool.release(c);
    this.drop(this.queue.settle(c), 'logs.dropped.file_backlog');
    this.pump();
  }

  /** Gives the thread what is left, waits until it has written it and closed its files, and ends it. */
  closeThread(): Promise<void> {
    return (this.threadClosed ??= this.closeOnce());
  }

  private async closeOnce(): Promise<void> {
    this.closingNow = true;
    this.poll();
    if (!this.ready && this.exited) {
      // The thread died and waits for its restart: one more try now, then what it held counts as dropped.
      clearTimeout(this.restartTimer);
      try {
        this.start();
      } catch (err) {
        this.diag.error('filesystem: the file writer thread could not start to close', err);
      }
    }
    await this.until(() => this.ready || this.exited, 5000);
    if (this.ready) {
      this.pump();
      this.thread.port.postMessage({ type: 'close' });
      await this.until(() => this.closedByThread || this.exited, Number.POSITIVE_INFINITY);
    }
    this.drop(this.queue.clear(), 'logs.dropped.file_unwritable');
    this.thread.port.close();
    await this.thread.worker.terminate();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  /** Resolves when `done()` holds (checked at each message from the thread, at least every 100 ms), or after `ms`. */
  private async until(done: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!done() && Date.now() < end) {
      await new Promise<void>((r) => {
        this.wake.push(r);
        setTimeout(r, 100).unref();
      });
    }
  }

  // The thread keeps the process alive exactly while records are on their way, and while it starts or closes.
  // Port and worker both: when a thread dies its port closes, and only the worker handle waits for 'exit'.
  private updateRef(): void {
    const hold = !this.queue.settled || this.closingNow || !this.live;
    if (hold) this.thread.port.ref();
    else this.thread.port.unref();
    if (hold) this.thread.worker.ref();
    else this.thread.worker.unref();
  }

  private drop(chunks: Chunk[], counter: string): void {
    for (const c of chunks) {
      this.health.dropped += c.count;
      this.diag.count(counter, c.count);
      this.pool.release(c);
    }
  }

  private pump(): void {
    for (let c = this.ready ? this.queue.next(this.closingNow) : undefined; c; c = this.queue.next(this.closingNow)) {
      this.thread.port.postMessage({ type: 'write', seq: c.seq, kind: c.kind, buf: c.sab, len: c.len });
    }
    this.updateRef();
  }

  private handle(m: FromWriter): void {
    const { health } = this;
    if (m.type === 'ready') {
      this.ready = true;
      this.pump();
    } else if (m.type === 'written') {
      const c = this.queue.ack(m.seq);
      if (c && m.dropped) this.drop([c], 'logs.dropped.file_unwritable');
      if (c && !m.dropped) {
        health.delivered += c.count;
        this.pool.release(c);
        this.failingNow = false;
        this.restarts = 0;
        health.state = 'healthy';
      }
      this.pump();
    } else if (m.type === 'failing') {
      this.failingNow = true;
      health.state = 'retrying';
      health.last_error = m.reason;
      health.last_error_at = new Date().toISOString();
      this.diag.warn(`filesystem write failed, retrying: ${m.reason}`);
    } else {
      this.closedByThread = true;
    }
    this.notify();
  }

  private start(): void {
    this.thread = this.launch();
    this.ready = false;
    this.exited = false;
    this.updateRef();
  }

  /** Spawns a thread and listens to it; events of a thread that has since been replaced are ignored. */
  private launch(): WriterThread {
    const t = this.spawn();
    t.port.on('message', (m: unknown) => {
      if (this.thread === t && isFromWriter(m)) this.handle(m);
    });
    t.worker.on('error', (err) => {
      if (this.thread !== t) return;
      this.health.last_error = `file writer thread failed: ${errorMessage(err)}`;
      this.health.last_error_at = new Date().toISOString();
    });
    t.worker.on('exit', (code) => {
      if (this.thread !== t) return;
      this.exited = true;
      this.ready = false;
      if (this.live && !this.closingNow) this.lost(`file writer thread exited (code ${code})`);
      this.notify();
    });
    return t;
  }

  /** The thread died: what it held waits again for a new one, started after a backoff. */
  private lost(reason: string): void {
    this.thread.port.close();
    this.restarting = true;
    this.health.state = 'retrying';
    this.health.last_error = reason;
    this.health.last_error_at = new Date().toISOString();
    this.diag.error(`filesystem: ${reason}; restarting it`);
    this.queue.requeue();
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restarting = false;
      try {
        this.start();
      } catch (err) {
        this.lost(`file writer thread could not start: ${errorMessage(err)}`);
      }
    }, backoffDelay(this.restarts, 100, 100, 30_000));
    // The chunks it held wait for the new thread: the first restarts keep the process alive for them (a process
    // ending now would lose them); a thread that keeps dying no longer holds the process.
    if (this.queue.settled || this.restarts > RESTARTS_AWAITED) this.restartTimer.unref();
  }
}
