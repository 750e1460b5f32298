import {
  diag,
  SpanStatusCode,
  type Attributes as ApiAttributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { SpanRecord } from '../../shared/model.js';
import { isTimeInput, nowMs, timeInputMs } from './time.js';
import { toSpanRecord } from './span-record.js';
import type { SpanData, SpanEventIn, SpanLinkIn, TracerCore } from './tracer-core.js';
import type { InstrumentationScope } from '../../shared/model.js';

const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const hasOwn = Object.prototype.hasOwnProperty;

function validKey(key: unknown): key is string {
  // '__proto__' as a plain property would set the object's prototype (an array value is an object).
  return typeof key === 'string' && key.length > 0 && key !== '__proto__';
}

function primitive(t: string): boolean {
  return t === 'string' || t === 'number' || t === 'boolean';
}

/** The API's AttributeValue: a primitive, or an array of one primitive type (null/undefined items allowed). */
export function validValue(v: unknown): v is AttributeValue {
  if (primitive(typeof v)) return true;
  if (!Array.isArray(v)) return false;
  let type: string | undefined;
  for (const item of v) {
    if (item == null) continue;
    const t = typeof item;
    if (type === undefined) {
      if (!primitive(t)) return false;
      type = t;
    } else if (t !== type) return false;
  }
  return true;
}

/** A string over the value length limit is cut to it (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT), array items too. */
function truncate(v: AttributeValue, max: number): AttributeValue {
  if (typeof v === 'string') return v.length > max ? v.slice(0, max) : v;
  if (!Array.isArray(v)) return v;
  return (v as unknown[]).map((item) => (typeof item === 'string' && item.length > max ? item.slice(0, max) : item)) as AttributeValue;
}

/** Valid attributes of an event or link, up to `limit` of them, truncated to `max` characters; arrays copied. */
function copyAttributes(src: ApiAttributes | undefined, limit: number, max: number): { attributes: ApiAttributes; dropped: number } {
  const attributes: ApiAttributes = {};
  let dropped = 0;
  let n = 0;
  if (src == null || typeof src !== 'object') return { attributes, dropped };
  for (const key in src) {
    if (!hasOwn.call(src, key)) continue;
    const v = src[key];
    if (v == null || !validKey(key) || !validValue(v)) continue;
    if (n >= limit) {
      dropped++;
      continue;
    }
    attributes[key] = truncate(v, max);
    n++;
  }
  return { attributes, dropped };
}

/**
 * A recording span of isotel's tracer (tracer.ts): the OpenTelemetry API's Span, kept as plain fields until
 * it ends, then handed to the tracer's sink as is; the record (ISO times, sanitized attributes) is built when
 * the buffer hands spans to the delivery layer, not on the application's path (toSpanRecord).
 * Same rules as sdk-trace's SpanImpl: writes after end() are ignored, invalid attributes are dropped with a
 * diag warning, the attribute count limit drops new keys, the event and link limits drop the oldest, a status
 * of OK is final.
 */
export class RecordingSpan implements Span, SpanData {
  attributes: ApiAttributes = {};
  events: SpanEventIn[] | undefined;
  links: SpanLinkIn[] | undefined;
  status: SpanStatus = UNSET;
  endMs = 0;
  ended = false;
  droppedAttributes = 0;
  droppedEvents = 0;
  droppedLinks = 0;
  private count = 0;

  constructor(
    readonly core: TracerCore,
    readonly scope: InstrumentationScope,
    private readonly context: SpanContext,
    readonly parentSpanId: string | undefined,
    readonly parentRemote: boolean,
    public name: string,
    readonly kind: SpanKind,
    readonly startMs: number,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (value == null || this.ended) return this;
    if (!validKey(key) || !validValue(value)) {
      diag.warn(`Invalid attribute dropped: ${String(key)}`);
      return this;
    }
    const a = this.attributes;
    if (!hasOwn.call(a, key)) {
      if (this.count >= this.core.limits.maxAttributes) {
        this.droppedAttributes++;
        return this;
      }
      this.count++;
    }
    a[key] = typeof value === 'string' && value.length <= this.core.limits.maxStringLength ? value : truncate(value, this.core.limits.maxStringLength);
    return this;
  }

  setAttributes(attributes: ApiAttributes): this {
    if (attributes == null || typeof attributes !== 'object') return this;
    for (const key in attributes) if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: ApiAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    let attrs = attributesOrTime as ApiAttributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
      attrs = undefined;
    }
    const events = (this.events ??= []);
    if (events.length >= this.core.eventLimit) {
      this.droppedEvents++;
      if (this.core.eventLimit === 0) return this;
      events.shift();
    }
    const { attributes, dropped } = copyAttributes(attrs, this.core.perItemAttributeLimit, this.core.limits.maxStringLength);
    events.push({ name: String(name), timeMs: time === undefined ? nowMs() : timeInputMs(time), attributes, dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended || link == null || link.context == null) return this;
    const links = (this.links ??= []);
    if (links.length >= this.core.linkLimit) {
      this.droppedLinks++;
      if (this.core.linkLimit === 0) return this;
      links.shift();
    }
    const { attributes, dropped } = copyAttributes(link.attributes, this.core.perItemAttributeLimit, this.core.limits.maxStringLength);
    links.push({ context: link.context, attributes, dropped });
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status == null || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') this.status = { code: status.code, message: status.message };
    else if (status.code === SpanStatusCode.ERROR || status.code === SpanStatusCode.OK) this.status = { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = String(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId}: end() called on an ended span`);
      return;
    }
    const end = endTime === undefined ? nowMs() : timeInputMs(endTime);
    this.endMs = end < this.startMs ? this.startMs : end;
    this.ended = true;
    this.core.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: ApiAttributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code) attributes['exception.type'] = String(exception.code);
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  /** The span in the record model; undefined (and reported) when it cannot be built. */
  toSpanRecord(): SpanRecord | undefined {
    try {
      return toSpanRecord(this, this.core.resource, this.core.limits);
    } catch (err) {
      this.core.diag.count('spans.conversion_failed');
      this.core.diag.error('a span could not be recorded', err);
      return undefined;
    }
  }
}
