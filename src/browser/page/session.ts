/**
 * `session.id` per the OpenTelemetry session conventions. The full build (createSession): one session for
 * every tab of the origin, kept in localStorage (`storage` events bring another tab's roll-over at once);
 * it ends after `inactivityMs` without a record or span (default 15 min) or `maxMs` after it started (4 h),
 * and the next record then starts a new one, with `session.end` / `session.start` events and
 * `session.previous_id`. Sampling is decided once per session (`sampleRate`), stored with it, so every tab of
 * the origin agrees, and decided again when the session rolls over. The lite build (tabSession): a random id
 * per tab, kept in sessionStorage. Storage is read at the first `id()`, not when the session is made: a page's
 * first synchronous localStorage/sessionStorage access costs Chromium 7-24 ms (bench/browser/page-load.mjs).
 */
import type { Diag } from '../../shared/diag.js';
import type { Attributes } from '../../shared/model.js';
import { newTraceId } from '../../shared/ids.js';
import { safe } from '../env.js';
import type { ResolvedOptions } from '../options.js';
import type { EventTargetLike } from './lifecycle.js';

export const SESSION_KEY = 'isotel.session.id';
/** localStorage key of the origin's shared session. */
export const SHARED_SESSION_KEY = 'isotel.session';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

export interface Session {
  /** The current session's id, starting a new session first when the current one has ended. */
  id(): string;
  /** The id of the session before the current one (after a roll-over), else undefined (lite: none). */
  previousId?(): string | undefined;
  /** Adds session.id (and session.previous_id after a roll-over), keeping values the caller set. */
  stamp(a: Attributes): void;
  /** Whether this session's traces are recorded (decided once per session; lite: no tracing, none). */
  sampled?(): boolean;
  stop(): void;
}

export interface SessionState {
  id: string;
  /** Epoch ms of the start and of the last record. */
  start: number;
  last: number;
  prev?: string;
  /** 1: traces recorded, 0: not (older states without it are decided again, once). */
  smp?: number;
}

export interface SessionContext {
  win: EventTargetLike & { localStorage?: StorageLike; sessionStorage?: StorageLike };
  now: () => number;
  options: Pick<ResolvedOptions, 'sessionInactivityTimeoutMs' | 'sessionMaxDurationMs'> & { sampleRate?: number };
  /** Default: random, 32 hex digits. */
  newId?: () => string;
  /** Default: Math.random (the per-session sampling decision). */
  random?: () => number;
  /** Called for the session that ended and for the one that starts (event name, attributes). */
  event(name: 'session.start' | 'session.end', attributes: Record<string, string>): void;
  diag: Diag;
}

const HEX32 = /^[0-9a-f]{32}$/;
/** The stored state's `last` is written at most once a second: a burst of records costs one write. */
const TOUCH_WRITE_MS = 1_000;

export function parseSession(text: string | null | undefined): SessionState | undefined {
  const s = safe(() => JSON.parse(text!) as SessionState);
  return s && HEX32.test(s.id) && s.start > 0 && s.last >= s.start ? s : undefined;
}

export function createSession(o: SessionContext): Required<Session> {
  const { sessionInactivityTimeoutMs: inactivityMs, sessionMaxDurationMs: maxMs } = o.options;
  const newId = o.newId || newTraceId;
  const rate = o.options.sampleRate ?? 1;
  const decide = (): number => ((o.random || Math.random)() < rate ? 1 : 0);
  let storage: StorageLike | undefined;
  let s: SessionState | undefined;
  let written = 0;
  const write = (): void => {
    written = s!.last;
    if (storage && !safe(() => (storage!.setItem(SHARED_SESSION_KEY, JSON.stringify(s)), 1))) o.diag.count('session.write_failed');
  };
  const live = (x: SessionState | undefined, t: number): boolean => !!x && t - x.last < inactivityMs && t - x.start < maxMs;
  const onStorage = (e: Event): void => {
    const next = (e as StorageEvent).key === SHARED_SESSION_KEY ? parseSession((e as StorageEvent).newValue) : undefined;
    if (next) s = next;
  };
  o.win.addEventListener('storage', onStorage);

  const current = (): SessionState => {
    storage ??= safe(() => o.win.localStorage);
    const t = o.now();
    // Another tab may have extended this session or started the next one: storage decides before a roll-over.
    if (!live(s, t)) s = parseSession(storage && safe(() => storage!.getItem(SHARED_SESSION_KEY))) ?? s;
    if (!live(s, t)) {
      const ended = s;
      s = { id: newId(), start: t, last: t, prev: ended && ended.id, smp: decide() };
      write();
      if (ended) o.event('session.end', { 'session.id': ended.id });
      o.event('session.start', ended ? { 'session.id': s.id, 'session.previous_id': ended.id } : { 'session.id': s.id });
    } else if (s!.smp === undefined) {
      s!.smp = decide();
      s!.last = Math.max(t, s!.last);
      write();
    } else if (t > s!.last) {
      s!.last = t;
      if (t - written >= TOUCH_WRITE_MS) write();
    }
    return s!;
  };
  return {
    id: () => current().id,
    previousId: () => s?.prev,
    stamp(a) {
      if (a['session.id'] === undefined) {
        a['session.id'] = current().id;
        if (s!.prev) a['session.previous_id'] = s!.prev;
      }
    },
    sampled: () => current().smp === 1,
    stop: () => o.win.removeEventListener('storage', onStorage),
  };
}

/** The lite build's session: random per tab, kept in sessionStorage so reloads of the tab keep it. */
export function tabSession(o: Pick<SessionContext, 'win' | 'newId' | 'diag'>): Session {
  let id: string | undefined;
  const session: Session = {
    id: () => id || (id = tabSessionId(() => o.win.sessionStorage, o.newId || newTraceId, o.diag)),
    // Lite has no roll-over: no previous id to add.
    stamp(a) {
      if (a['session.id'] === undefined) a['session.id'] = session.id();
    },
    stop: () => undefined,
  };
  return session;
}

export function tabSessionId(storage: () => StorageLike | undefined, newId: () => string, diag: Diag): string {
  try {
    const s = storage();
    const existing = s && s.getItem(SESSION_KEY);
    if (existing && HEX32.test(existing)) return existing;
    const id = newId();
    if (s) s.setItem(SESSION_KEY, id);
    return id;
  } catch (err) {
    // sessionStorage blocked (sandboxed iframe, storage disabled): one id for this page only.
    diag.debug('B21' /* sessionStorage unavailable */, err);
    return newId();
  }
}
