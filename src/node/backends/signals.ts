import { emptyBatch, spanId, type Batch, type SignalName } from '../../shared/model.js';
import { failure, SUCCESS, type RejectedItem } from '../../shared/result.js';
import type { Backend } from './types.js';

/** What a backend that does not say otherwise stores: the two signals isotel had before metrics. */
export const DEFAULT_SIGNALS: readonly SignalName[] = ['log', 'span'];

/** The signals `backend` stores (`Backend.signals`, else logs and spans). */
export function signalsOf(backend: Backend): readonly SignalName[] {
  return backend.signals ?? DEFAULT_SIGNALS;
}

/** Whether `backend` refuses (dead-letters) the records of `signal`: neither stored nor skipped by design. */
const refuses = (backend: Backend, accepts: readonly SignalName[], signal: SignalName) => !accepts.includes(signal) && !(backend.skips ?? []).includes(signal);

function refused(batch: Batch, backend: Backend, accepts: readonly SignalName[]): RejectedItem[] {
  const name = backend.name;
  const out: RejectedItem[] = [];
  const reason = (s: string) => `backend ${name} does not store ${s} (not supported yet); refused, not dropped`;
  if (refuses(backend, accepts, 'log')) for (const r of batch.logs) out.push({ id: r.record_id, reason: reason('log records') });
  if (refuses(backend, accepts, 'span')) for (const s of batch.spans) out.push({ id: spanId(s), reason: reason('spans') });
  if (refuses(backend, accepts, 'metric')) for (const p of batch.metrics) out.push({ id: p.point_id, reason: reason('metric points') });
  return out;
}

/**
 * The backend, with the records of a signal it does not store refused for good (each with a reason, so the engine
 * dead-letters and counts them) instead of handed to a `write` that would ignore them: a backend written before
 * metrics existed (a user's own, or one not yet taught them) never drops metric points silently. The signals a
 * backend lists in `skips` (by design: the Prometheus sink has nothing to do with logs and spans) are done for it
 * without a write and without a dead letter.
 */
export function withSignalCheck(backend: Backend): Backend {
  const accepts = signalsOf(backend);
  if (accepts.length === 3) return backend;
  const write = async (batch: Batch) => {
    const out = refused(batch, backend, accepts);
    if (out.length === 0 && (backend.skips ?? []).length === 0) return backend.write(batch);
    const rest = emptyBatch();
    if (accepts.includes('log')) rest.logs = batch.logs;
    if (accepts.includes('span')) rest.spans = batch.spans;
    if (accepts.includes('metric')) rest.metrics = batch.metrics;
    const r = rest.logs.length + rest.spans.length + rest.metrics.length > 0 ? await backend.write(rest) : SUCCESS;
    if (r.status === 'retryable' || out.length === 0) return r;
    return failure(r.status === 'failure' ? [...r.reasons, ...out] : out);
  };
  // Every backend but the filesystem one (which stores every signal) is a plain object here (untracedBackend).
  return { ...backend, write, signals: [...accepts] };
}
