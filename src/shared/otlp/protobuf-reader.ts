/**
 * A protobuf wire-format reader (varint, 64-bit, 32-bit, length-delimited) over a Uint8Array, checked at
 * every step: a read past the end of the enclosing message, an over-long varint or a group wire type throws
 * a ProtobufError naming the byte offset. Invalid UTF-8 in a string is content, not framing: the reader
 * notes it (`invalidUtf8`) and the message readers hand it to the validator, which rejects just the record
 * that holds it. No dependencies, works in every runtime.
 */

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TWO_32 = 4_294_967_296;

// fatal: invalid UTF-8 in a proto3 string is a malformed message; ignoreBOM: a leading U+FEFF is content.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  pos = 0;
  /** Why the last string read since it was cleared is not valid UTF-8 (the first such string). */
  invalidUtf8: string | undefined;
  /** The two 32-bit halves of the last varint or fixed64 read. */
  lo = 0;
  hi = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private truncated(what: string): never {
    throw new ProtobufError(`protobuf: truncated ${what} at byte ${this.pos}`);
  }

  /** Reads a varint of up to 10 bytes into lo/hi. */
  varint(end: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 4; i++) {
      if (pos >= end) this.truncated('varint');
      const b = buf[pos++];
      lo |= (b & 127) << (i * 7);
      if (b < 128) return this.setVarint(pos, lo, 0);
    }
    if (pos >= end) this.truncated('varint');
    let b = buf[pos++];
    lo |= (b & 127) << 28;
    hi = (b & 127) >> 4;
    if (b < 128) return this.setVarint(pos, lo, hi);
    for (let i = 0; i < 5; i++) {
      if (pos >= end) this.truncated('varint');
      b = buf[pos++];
      hi |= (b & 127) << (i * 7 + 3);
      if (b < 128) return this.setVarint(pos, lo, hi);
    }
    throw new ProtobufError(`protobuf: varint longer than 10 bytes at byte ${this.pos}`);
  }

  private setVarint(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A varint that must fit 32 bits unsigned (tags, lengths). */
  uint32(end: number, what: string): number {
    const at = this.pos;
    this.varint(end);
    if (this.hi !== 0) throw new ProtobufError(`protobuf: ${what} out of range at byte ${at}`);
    return this.lo;
  }

  /** The end offset of a length-delimited field starting here, checked against the enclosing end. */
  lengthEnd(end: number): number {
    const len = this.uint32(end, 'length');
    const stop = this.pos + len;
    if (stop > end) this.truncated(`length-delimited field of ${len} bytes`);
    return stop;
  }

  fixed64(end: number): void {
    if (this.pos + 8 > end) this.truncated('fixed64');
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  fixed32(end: number): number {
    if (this.pos + 4 > end) this.truncated('fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(end: number): number {
    if (this.pos + 8 > end) this.truncated('double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Skips a field of an unknown number. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint(end);
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > end) this.truncated('fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd(end);
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > end) this.truncated('fixed32');
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`protobuf: unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /**
   * UTF-8 text of [start, stop). Short ASCII strings (most keys and values) are built directly: that
   * skips a subarray and a TextDecoder call each, and measured 1.7 ms instead of 2.0-2.3 ms for 500
   * log records of 10 attributes.
   */
  utf8(start: number, stop: number, field: string): string {
    const buf = this.buf;
    if (stop - start <= 32) {
      let s = '';
      let i = start;
      for (; i < stop && buf[i] < 0x80; i++) s += String.fromCharCode(buf[i]);
      if (i === stop) return s;
    }
    try {
      return utf8.decode(this.buf.subarray(start, stop));
    } catch {
      // Noted for the record (or resource, scope) being read, which the validator then rejects with it.
      this.invalidUtf8 ??= `invalid UTF-8 in ${field} at byte ${start}`;
      return '';
    }
  }

  /** lo/hi as an unsigned decimal string (uint64, fixed64). */
  uint64String(): string {
    if (this.hi < 0x200000) return String(this.hi * TWO_32 + this.lo);
    return ((BigInt(this.hi) << 32n) | BigInt(this.lo)).toString();
  }

  /** lo/hi as a signed int64: a number when exact, else its decimal string. */
  int64(): number | string {
    if (this.hi < 0x200000) return this.hi * TWO_32 + this.lo;
    if (this.hi > 0xffe00000) return (this.hi - TWO_32) * TWO_32 + this.lo; // small negatives, exact
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)).toString();
  }
  /** Where the last tag started, for error messages. */
  tagAt = 0;

  /** The next tag (field number << 3 | wire type); field number 0 is malformed. */
  tag(end: number): number {
    this.tagAt = this.pos;
    const t = this.uint32(end, 'tag');
    if (t >>> 3 === 0) throw new ProtobufError(`protobuf: field number 0 at byte ${this.tagAt}`);
    return t;
  }

  /**
   * A tag no case matched: an unknown field is skipped (protobuf requires it); a known field number with
   * another wire type is malformed. `fields[n]` names field n of `message`.
   */
  other(tag: number, end: number, message: string, fields: readonly string[]): void {
    const name = fields[tag >>> 3];
    if (name) throw new ProtobufError(`protobuf: ${message}.${name} has wire type ${tag & 7} (byte ${this.tagAt})`);
    this.skip(tag & 7, end);
  }

  string(end: number, field: string): string {
    const stop = this.lengthEnd(end);
    const start = this.pos;
    this.pos = stop;
    return this.utf8(start, stop, field);
  }

  bytesHex(end: number): string {
    const stop = this.lengthEnd(end);
    let s = '';
    for (let i = this.pos; i < stop; i++) s += HEX[this.buf[i]];
    this.pos = stop;
    return s;
  }

  bytesBase64(end: number): string {
    const stop = this.lengthEnd(end);
    const b = this.buf;
    let out = '';
    let i = this.pos;
    for (; i + 2 < stop; i += 3) {
      const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < stop) {
      const n = (b[i] << 16) | (i + 1 < stop ? b[i + 1] << 8 : 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < stop ? B64[(n >> 6) & 63] + '=' : '==');
    }
    this.pos = stop;
    return out;
  }

  /** fixed64 nanoseconds as a decimal string. */
  time(end: number): string {
    this.fixed64(end);
    return this.uint64String();
  }

  uint32Value(end: number): number {
    this.varint(end);
    return this.lo;
  }

  /** An enum (int32): negative values arrive sign-extended to 10 bytes. */
  enumValue(end: number): number {
    this.varint(end);
    return this.lo | 0;
  }

  int64Value(end: number): number | string {
    this.varint(end);
    return this.int64();
  }

  boolValue(end: number): boolean {
    this.varint(end);
    return this.lo !== 0 || this.hi !== 0;
  }

  /** A double; NaN and the infinities as proto3 JSON writes them ("NaN", "Infinity", "-Infinity"). */
  doubleValue(end: number): number | string {
    const d = this.double(end);
    return Number.isFinite(d) ? d : String(d);
  }
}
