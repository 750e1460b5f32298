import type { BackendHealth, Logger } from '../../src/node/index.js';
import { sleep } from './services.js';

/**
 * The load of the outage tests: records logged at a steady pace through the public logger, each with its
 * sequence number, so the stores can be checked for every one of them afterwards.
 */
export interface PacedOptions {
  from: number;
  to: number;
  perSecond: number;
  phase: string;
  /** Called after every chunk (e.g. to sample health while the server is down). */
  onChunk?: () => void;
}

const CHUNK = 500;

export async function logPaced(logger: Logger, o: PacedOptions): Promise<void> {
  const chunkMs = (CHUNK * 1000) / o.perSecond;
  const start = Date.now();
  for (let i = o.from, k = 1; i < o.to; k++) {
    const end = Math.min(o.to, i + CHUNK);
    for (; i < end; i++) logger.info('outage test record', { seq: i, phase: o.phase, user_id: `user-${i % 97}`, route: '/api/price' });
    o.onChunk?.();
    // Paced against the start, so a slow tick does not stretch the whole run.
    await sleep(Math.max(0, start + k * chunkMs - Date.now()));
  }
}

/**
 * Waits until the backend has delivered at least `delivered` records, its spool is empty and its channel is
 * healthy again (flush alone does not wait for the replay: records on disk already count as safe; and before
 * the spool is opened, health shows 0 waiting). Fails with the last health seen.
 */
export async function waitDrained(logger: Logger, delivered: number, timeoutMs: number): Promise<BackendHealth> {
  const deadline = Date.now() + timeoutMs;
  let h = logger.health().backends[0];
  while (Date.now() < deadline) {
    h = logger.health().backends[0];
    if (h.delivered >= delivered && h.waiting_on_disk === 0 && h.state === 'healthy') return h;
    await sleep(250);
  }
  throw new Error(`the spool did not drain within ${timeoutMs / 1000} s: ${JSON.stringify(h)}`);
}

export interface OutageResult {
  /** Seconds from the stop until the server was started again (the start itself comes on top). */
  downSeconds: number;
  /** Seconds the server took to start. */
  startSeconds: number;
  /** Health sampled 20 s into the outage. */
  during: BackendHealth;
}

/**
 * 50,000 records through an outage: 10,000 while the server is up, 30,000 during at least `outageMs` with the
 * server down, and 10,000 while it comes back. The server is started again in a finally, whatever failed.
 */
export async function logThroughOutage(
  logger: Logger,
  server: { stop(): Promise<void>; start(): Promise<unknown> },
  outageMs = 30_000,
): Promise<OutageResult> {
  await logPaced(logger, { from: 0, to: 10_000, perSecond: 4_000, phase: 'before' });
  let restarted: Promise<unknown> | undefined;
  let during: BackendHealth | undefined;
  let downSeconds = 0;
  let startSeconds = 0;
  try {
    await server.stop();
    const down = Date.now();
    const sample = () => {
      if (!during && Date.now() - down >= 20_000) during = logger.health().backends[0];
    };
    await logPaced(logger, { from: 10_000, to: 40_000, perSecond: 30_000_000 / outageMs, phase: 'during', onChunk: sample });
    await sleep(Math.max(0, down + outageMs - Date.now()));
    during ??= logger.health().backends[0];
    downSeconds = (Date.now() - down) / 1000;
    const t0 = Date.now();
    restarted = server.start().then(() => (startSeconds = (Date.now() - t0) / 1000));
    await logPaced(logger, { from: 40_000, to: 50_000, perSecond: 2_000, phase: 'after' });
  } finally {
    await (restarted ?? server.start());
  }
  return { downSeconds, startSeconds, during: during as BackendHealth };
}
