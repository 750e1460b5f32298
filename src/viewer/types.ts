/**
 * What the viewer reads from `isotel serve`: the Jaeger query API's JSON (the shapes of
 * src/collector-endpoint/jaeger-convert.ts, written again here because the viewer only talks HTTP to the
 * server) and the logs query's records (the shared model's LogRecord).
 */
export type { LogRecord, AnyValue } from '../shared/model.js';

export interface KeyValue {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  value: string | number | boolean;
}
export interface Reference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}
export interface SpanLog {
  timestamp: number;
  fields: KeyValue[];
}
export interface Span {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Reference[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: KeyValue[];
  logs: SpanLog[];
  processID: string;
}
export interface Process {
  serviceName: string;
  tags: KeyValue[];
}
export interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, Process>;
}
export interface Envelope<T> {
  data: T;
  errors: { code: number; msg: string }[] | null;
}
