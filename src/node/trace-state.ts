import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import { formatTracestate, parseTracestate, updateTracestate, type TraceState as Members } from '../shared/trace-context.js';

/**
 * The OpenTelemetry API's TraceState over isotel's tracestate grammar (Level 2 keys). @opentelemetry/core's
 * TraceState validates keys with Level 1's grammar and silently drops the members it rejects, so a
 * Level 2 key (`1abc`, `a@b@c`) received from upstream would vanish on the way out; this one keeps them.
 * Immutable, as the API requires: set/unset return a new state.
 */
export class W3CTraceState implements ApiTraceState {
  private constructor(private readonly members: Members) {}

  /** A state from a parsed member list (see parseTracestate); the list is not copied. */
  static fromMembers(members: Members): W3CTraceState {
    return new W3CTraceState(members);
  }

  /** A state from a header value; an invalid value gives an empty state, as the spec requires. */
  static parse(header: string): W3CTraceState {
    return new W3CTraceState(parseTracestate(header) ?? []);
  }

  set(key: string, value: string): W3CTraceState {
    const next = updateTracestate(this.members, key, value);
    return next === this.members ? this : new W3CTraceState(next);
  }

  unset(key: string): W3CTraceState {
    const next = this.members.filter(([k]) => k !== key);
    return next.length === this.members.length ? this : new W3CTraceState(next);
  }

  get(key: string): string | undefined {
    for (const [k, v] of this.members) if (k === key) return v;
    return undefined;
  }

  /** The header value: at most 32 members and 512 characters (whole entries dropped as the spec says). */
  serialize(): string {
    return formatTracestate(this.members);
  }
}
