/**
 * What the dispatcher's loops wait on: a timer, or the log's next append round. Every wait is registered, so
 * close() ends them all at once; timers are unref'd (records on disk must not keep a process alive).
 */
export class Waker {
  /** Append rounds seen so far: a loop that read at round r and sees another number must not wait. */
  rounds = 0;
  private closed = false;
  private wake: Array<() => void> = [];
  private readonly waits = new Set<() => void>();

  /** The log finished an append round: wake whoever waits for one. */
  appended(): void {
    this.rounds++;
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.waits.add(done);
    });
  }

  /** Resolves on the next append round, unless one happened since `round` (no wake-up is missed). */
  nextAppend(round: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.rounds !== round || this.closed) return resolve();
      const done = () => {
        this.waits.delete(done);
        resolve();
      };
      this.wake.push(done);
      this.waits.add(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const f of this.waits) f();
  }
}
