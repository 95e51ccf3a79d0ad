// Protobuf base-128 varints and field keys, by hand: CRIU's pagemap images are
// tiny protobuf messages and a generic protobuf library would be overkill.

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

/** Reads a varint at `offset`; returns its value (as bigint, u64-safe) and the offset after it. */
export function readVarint(buf: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < buf.length; i++) {
    const byte = buf[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
    if (shift > 63n) throw new Error(`varint at ${offset} is longer than 10 bytes`);
  }
  throw new Error(`varint at ${offset} runs past the end of the buffer`);
}

/** Encodes an unsigned value (number or bigint) as a varint. */
export function encodeVarint(v: number | bigint): number[] {
  let value = BigInt(v);
  if (value < 0n) throw new Error(`varint cannot encode negative ${value}`);
  const out: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value !== 0n) byte |= 0x80;
    out.push(byte);
  } while (value !== 0n);
  return out;
}

/** Converts a decoded u64 to a JS number, refusing values that would lose precision. */
export function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} ${v} exceeds 2^53`);
  return Number(v);
}
