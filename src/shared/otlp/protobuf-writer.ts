/**
 * A protobuf wire-format writer: one growing byte buffer, and nested messages written in place with their
 * length patched afterwards (a placeholder of 5 bytes would waste space; instead the body is written, then
 * moved right by the length prefix's size, which for OTLP's small messages is one or two bytes). Only the
 * wire types OTLP uses: varint, fixed32, fixed64, double, length-delimited.
 */

const textEncoder = new TextEncoder();

export class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned varint of up to 53 bits (tags, lengths, enums, counts, non-negative int64 given as number). */
  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** A 64-bit two's complement varint (int64 values, negative ones take 10 bytes). */
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  fixed64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    // Worst case 3 bytes per UTF-16 unit; encodeInto writes straight into the buffer.
    this.ensure(s.length * 3 + 5);
    const start = this.pos;
    this.pos += 5;
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.closeAt(start, 5);
  }

  /** Starts a length-delimited field's body; pass the result to `end` after writing it. */
  begin(): number {
    this.ensure(5);
    const start = this.pos;
    this.pos += 5;
    return start;
  }

  end(start: number): void {
    this.closeAt(start, 5);
  }

  /** Writes the body's length at `start` (where `reserved` bytes were kept) and moves the body to follow it. */
  private closeAt(start: number, reserved: number): void {
    const bodyStart = start + reserved;
    const len = this.pos - bodyStart;
    let prefix = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) prefix++;
    if (prefix !== reserved) this.buf.copyWithin(start + prefix, bodyStart, this.pos);
    let p = start;
    let v = len;
    while (v > 0x7f) {
      this.buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
    this.pos = start + prefix + len;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Hex (trace and span ids) to bytes; an odd or non-hex string gives the bytes up to the first bad pair. */
export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const b = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    if (Number.isNaN(b)) return out.subarray(0, i);
    out[i] = b;
  }
  return out;
}
