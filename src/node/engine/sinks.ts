import type { Diag } from '../../shared/diag.js';
import type { OpenedBackend } from '../open-backends.js';
import { createDeadLetters } from './dead-letters.js';
import { startDispatcher, type DispatchSource, type Dispatcher } from './dispatcher.js';
import { engineTarget, type EngineTarget } from './target.js';

export interface SinksOptions {
  /** The durable log, or its follower in another thread. */
  wal: DispatchSource;
  sinks: OpenedBackend[];
  /** data_dir: the dead letters go to `<dataDir>/dead-letter/<sink>.jsonl`. */
  dataDir: string;
  batchSize?: number;
  concurrency?: number;
  diag: Diag;
}

/** The sinks at work: one dispatcher loop each. `stop` ends their retries, waits for their writes, closes them. */
export interface RunningSinks {
  dispatcher: Dispatcher;
  targets: EngineTarget[];
  stop(): Promise<void>;
}

/**
 * The one place the engine's dispatcher is wired to sinks, for the Node SDK (local.ts), the ingest's worker
 * thread and its in-thread mode alike: each sink with the retry policy and breaker of its configuration
 * (target.ts), and the one dead-letter layout.
 */
export function startSinks(o: SinksOptions): RunningSinks {
  const abort = new AbortController();
  const deadLetters = createDeadLetters(o.dataDir);
  const targets = o.sinks.map((b) => engineTarget(b, abort.signal, o.diag, o.batchSize));
  // The sinks' I/O is untraced call by call (open-backends.ts wraps every opened backend: untraced.ts).
  const dispatcher = startDispatcher({
    wal: o.wal,
    targets,
    diag: o.diag,
    batchSize: o.batchSize,
    concurrency: o.concurrency,
    onRejected: (name, items, batch) => deadLetters.write(name, items, batch),
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      abort.abort();
      await dispatcher.close();
      await Promise.all(o.sinks.map((b) => b.backend.close().catch((err: unknown) => o.diag.error(`closing ${b.name} failed`, err))));
      await deadLetters.close().catch((err: unknown) => o.diag.error('closing the dead-letter files failed', err));
    })());
  return { dispatcher, targets, stop };
}
