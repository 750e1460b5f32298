import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietDiag } from '../../testing/fakes.js';
import { type RecordingTracer, recordingTracer } from '../../testing/spans.js';
import { clientSpans } from './client-span.js';
import { httpSpanNamer } from './span-name.js';
import { instrumentXhr } from './xhr.js';

let rec: RecordingTracer;
beforeEach(() => (rec = recordingTracer()));
afterEach(() => rec.close());

/** The XMLHttpRequest surface the instrumentation touches; the test fires its events. */
class FakeXhr extends EventTarget {
  status = 0;
  headers: Record<string, string> = {};
  sentInSpan: string | undefined;
  state = 'unsent';
  /** The next send throws, as a synchronous request that failed may. */
  failSend: Error | undefined;
  open(method: string, url: string): void {
    void method;
    void url;
    this.state = 'opened';
    this.headers = {};
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(): void {
    if (this.state !== 'opened') throw new DOMException('not opened', 'InvalidStateError');
    if (this.failSend) throw this.failSend;
    this.state = 'sent';
    this.sentInSpan = trace.getSpan(context.active())?.spanContext().spanId;
  }
  finish(type: string, status = 0): void {
    this.status = status;
    this.dispatchEvent(new Event(type));
  }
}

function instrument() {
  const { open, send } = FakeXhr.prototype;
  const undo = instrumentXhr(
    FakeXhr.prototype,
    clientSpans({
      tracer: rec.tracer,
      base: () => 'https://shop.example.com/',
      origin: 'https://shop.example.com',
      propagateTo: [],
      ignore: (url) => url.includes('/v1/logs'),
      name: httpSpanNamer(undefined, quietDiag()),
    }),
    quietDiag(),
  );
  return () => {
    undo();
    expect(FakeXhr.prototype.open).toBe(open);
    expect(FakeXhr.prototype.send).toBe(send);
  };
}

describe('XMLHttpRequest instrumentation', () => {
  it('sends in a CLIENT span with traceparent and ends it on load with the status', () => {
    const undo = instrument();
    const xhr = new FakeXhr();
    xhr.open('GET', '/api/data?case=xhr');
    xhr.send();
    expect(rec.ended()).toHaveLength(0);
    xhr.finish('load', 200);
    const [span] = rec.ended();
    const sc = span.spanContext();
    expect(span.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.full': 'https://shop.example.com/api/data?case=xhr', 'http.response.status_code': 200 });
    expect(xhr.headers).toEqual({ traceparent: `00-${sc.traceId}-${sc.spanId}-01` });
    expect(xhr.sentInSpan).toBe(sc.spanId);
    undo();
  });

  it('ends with an error on error and timeout, without one on abort', () => {
    const undo = instrument();
    for (const type of ['error', 'timeout', 'abort']) {
      const xhr = new FakeXhr();
      xhr.open('POST', '/api/x');
      xhr.send();
      xhr.finish(type);
      xhr.finish('load', 200); // later events of the same request change nothing
    }
    const [error, timeout, abort] = rec.ended();
    expect(rec.ended()).toHaveLength(3);
    expect([error.status.code, error.attributes['error.type']]).toEqual([SpanStatusCode.ERROR, 'error']);
    expect([timeout.status.code, timeout.attributes['error.type']]).toEqual([SpanStatusCode.ERROR, 'timeout']);
    expect([abort.status.code, abort.attributes['error.type']]).toEqual([SpanStatusCode.UNSET, undefined]);
    undo();
  });

  it('ends a running span when the object is opened again, and traces the new request on its own', () => {
    const undo = instrument();
    const xhr = new FakeXhr();
    xhr.open('GET', '/first');
    xhr.send();
    xhr.open('GET', '/second');
    expect(rec.ended().map((s) => s.attributes['url.full'])).toEqual(['https://shop.example.com/first']);
    xhr.send();
    xhr.finish('load', 500);
    const second = rec.ended()[1];
    expect(second.attributes).toMatchObject({ 'url.full': 'https://shop.example.com/second', 'error.type': '500' });
    undo();
  });

  it('lets send errors through: a failed send ends its span with the error, a second send leaves the running one alone', () => {
    const undo = instrument();
    const failing = new FakeXhr();
    failing.failSend = new DOMException('network', 'NetworkError');
    failing.open('GET', '/sync');
    expect(() => failing.send()).toThrow('network');
    expect(rec.ended().map((s) => [s.status.code, s.attributes['error.type']])).toEqual([[SpanStatusCode.ERROR, 'NetworkError']]);

    const xhr = new FakeXhr();
    xhr.open('GET', '/once');
    xhr.send();
    expect(() => xhr.send()).toThrow('not opened');
    expect(rec.ended()).toHaveLength(1);
    xhr.finish('load', 204);
    expect(rec.ended()).toHaveLength(2);
    undo();
  });

  it('does not trace ignored URLs', () => {
    const undo = instrument();
    const xhr = new FakeXhr();
    xhr.open('POST', 'https://shop.example.com/v1/logs');
    xhr.send();
    xhr.finish('load', 200);
    expect(rec.ended()).toHaveLength(0);
    expect(xhr.headers).toEqual({});
    undo();
  });
});
