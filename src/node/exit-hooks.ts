import type { Diag } from '../shared/diag.js';

/**
 * Flushes on `beforeExit` and on SIGTERM/SIGINT. Adding a signal listener disables Node's default "exit on
 * signal", so when isotel's listener is the only one it flushes (at most `timeoutMs`) and then re-raises the
 * signal with the listener removed: the process ends as it would have without isotel. When the host has its
 * own listener, isotel only flushes and leaves the exit to the host. Returns a function that removes the hooks.
 */
export function installExitHooks(flush: () => Promise<void>, diag: Diag, timeoutMs = 5000): () => void {
  const onBeforeExit = () => {
    void flush();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const alone = process.listenerCount(signal) === 1;
    const timer = setTimeout(() => finish(), timeoutMs);
    timer.unref();
    const finish = () => {
      clearTimeout(timer);
      if (!alone) return;
      remove();
      process.kill(process.pid, signal);
    };
    flush().then(finish, (err: unknown) => {
      diag.error('flush on signal failed', err);
      finish();
    });
  };
  process.on('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('beforeExit', onBeforeExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  return remove;
}
