/** A minimal protobuf writer for tests: enough to build requests, and the edge cases SDK serializers never produce. */
export type Bytes = number[];

export function varint(n: number | bigint | string): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

export const tag = (field: number, wire: number): Bytes => varint((field << 3) | wire);
/** A length-delimited field made of the parts, in order. */
export const len = (field: number, ...parts: Bytes[]): Bytes => {
  const body = parts.flat();
  return [...tag(field, 2), ...varint(body.length), ...body];
};
export const vint = (field: number, n: number | bigint | string): Bytes => [...tag(field, 0), ...varint(n)];
export const fixed64 = (field: number, n: bigint): Bytes => [...tag(field, 1), ...Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))];
export const fixed32 = (field: number, n: number): Bytes => [...tag(field, 5), n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
