/**
 * The span of isotel's browser tracer (tracer.ts): the @opentelemetry/api Span, keeping what OTLP needs in
 * sdk-trace's ReadableSpan shape (HrTime times, parentSpanContext, dropped counts), with sdk-trace's
 * semantics: attributes, events and links capped at 128 each (the oldest event goes first), an ERROR
 * status can become OK and OK is final, nothing changes after `end`, a second `end` is ignored.
 */
import type { Attributes, AttributeValue, Exception, HrTime, Link, Span, SpanContext, SpanKind, SpanStatus, TimeInput } from '@opentelemetry/api';
import { exceptionAttributes } from '../../../shared/exception.js';
import { systemClock } from '../../../shared/time.js';

const LIMIT = 128;

/** An ended span as the span processor and the OTLP conversion read it (a subset of sdk-trace's ReadableSpan). */
export interface EndedSpan {
  name: string;
  kind: SpanKind;
  spanContext(): SpanContext;
  parentSpanContext?: SpanContext;
  startTime: HrTime;
  endTime: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  links: Link[];
  events: { name: string; time: HrTime; attributes?: Attributes }[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

const perf = typeof performance === 'object' ? performance : undefined;

/** sdk-trace's reading of a TimeInput: HrTime, Date, epoch ms, or ms since timeOrigin (at most performance.now()). */
function toHrTime(t: TimeInput | undefined): HrTime {
  if (Array.isArray(t)) return t as HrTime;
  let ms = t === undefined ? systemClock.nowMs() : +t;
  if (typeof t === 'number' && perf && ms <= perf.now()) ms += perf.timeOrigin;
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

const later = (a: HrTime, b: HrTime): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

const isValue = (v: unknown): v is AttributeValue => v != null && (Array.isArray(v) || typeof v !== 'object');

export class BrowserSpan implements Span, EndedSpan {
  attributes: Attributes = {};
  links: Link[] = [];
  events: EndedSpan['events'] = [];
  status: SpanStatus = { code: 0 };
  startTime: HrTime;
  endTime: HrTime = [0, 0];
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private ended = false;

  constructor(
    public name: string,
    public kind: SpanKind,
    private readonly sc: SpanContext,
    public parentSpanContext: SpanContext | undefined,
    start: TimeInput | undefined,
    private readonly onEnd: (span: BrowserSpan) => void,
  ) {
    this.startTime = toHrTime(start);
  }

  spanContext(): SpanContext {
    return this.sc;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended || !key || !isValue(value)) return this;
    if (!(key in this.attributes) && Object.keys(this.attributes).length >= LIMIT) this.droppedAttributesCount++;
    else this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const k in attributes) this.setAttribute(k, attributes[k]!);
    return this;
  }

  addEvent(name: string, attrsOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const isTime = Array.isArray(attrsOrTime) || typeof attrsOrTime === 'number' || attrsOrTime instanceof Date;
    if (this.events.length >= LIMIT) (this.events.shift(), this.droppedEventsCount++);
    this.events.push({ name, time: toHrTime(isTime ? (attrsOrTime as TimeInput) : time), attributes: isTime ? {} : (attrsOrTime as Attributes) ?? {} });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links.length >= LIMIT) this.droppedLinksCount++;
    else this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // UNSET changes nothing; OK is final; a message only with ERROR.
    if (this.ended || !status.code || this.status.code === 1) return this;
    this.status = status.code === 2 && status.message ? { code: 2, message: String(status.message) } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const end = toHrTime(endTime);
    this.endTime = later(this.startTime, end) ? this.startTime : end;
    this.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.addEvent('exception', exceptionAttributes(exception) as Attributes, time);
  }
}
