// A bounded walk over a DNS message before dns2 parses it. dns2's parser
// trusts the header's section counts and loops once per declared record, so a
// 46-byte datagram that declares 4 × 65535 records costs seconds. This walk
// reads every name, question and record the header declares, without
// allocating, and stops at the first byte that is not there: its cost is
// bounded by the message's length, and what passes cannot make dns2 loop.
//
// API: checkMessage(bytes) -> {ok: true} | {ok: false, reason, header?}
//   header is set when the 12-byte header could be read (so a FORMERR can echo its id).

export const HEADER_BYTES = 12;
/** RFC 1035 §2.3.4. */
const MAX_NAME_BYTES = 255;
const MAX_LABEL_BYTES = 63;
/** The EDNS pseudo-record (RFC 6891); dns2 decodes its options by trusting their lengths. */
const TYPE_OPT = 41;

export interface WireHeader {
  id: number;
  /** 1 for a response. */
  qr: number;
  opcode: number;
  rd: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export type WireCheck = { ok: true; header: WireHeader } | { ok: false; reason: string; header?: WireHeader };

export function readHeader(b: Uint8Array): WireHeader | undefined {
  if (b.length < HEADER_BYTES) return undefined;
  const u16 = (at: number) => ((b[at]! << 8) | b[at + 1]!) >>> 0;
  const flags = u16(2);
  return {
    id: u16(0),
    qr: flags >> 15,
    opcode: (flags >> 11) & 0xf,
    rd: (flags >> 8) & 1,
    qdcount: u16(4),
    ancount: u16(6),
    nscount: u16(8),
    arcount: u16(10),
  };
}

export function checkMessage(b: Uint8Array): WireCheck {
  const header = readHeader(b);
  if (!header) return { ok: false, reason: `message of ${b.length} bytes is shorter than a DNS header` };
  let at = HEADER_BYTES;
  for (let i = 0; i < header.qdcount; i++) {
    const end = skipName(b, at);
    if (typeof end === "string") return { ok: false, reason: `question ${i + 1}: ${end}`, header };
    if (end + 4 > b.length) return { ok: false, reason: `question ${i + 1} ends past the message`, header };
    at = end + 4;
  }
  const records = header.ancount + header.nscount + header.arcount;
  for (let i = 0; i < records; i++) {
    const end = skipName(b, at);
    if (typeof end === "string") return { ok: false, reason: `record ${i + 1}: ${end}`, header };
    // type, class, ttl (8 bytes), then rdlength and rdata.
    if (end + 10 > b.length) return { ok: false, reason: `record ${i + 1} ends past the message`, header };
    const type = (b[end]! << 8) | b[end + 1]!;
    const rdlength = (b[end + 8]! << 8) | b[end + 9]!;
    at = end + 10 + rdlength;
    if (at > b.length) return { ok: false, reason: `record ${i + 1}'s data ends past the message`, header };
    if (type === TYPE_OPT) {
      const bad = checkOptions(b, end + 10, at);
      if (bad) return { ok: false, reason: `record ${i + 1} (OPT): ${bad}`, header };
    }
  }
  if (at !== b.length) return { ok: false, reason: `${b.length - at} bytes after the last declared record`, header };
  return { ok: true, header };
}

/**
 * The offset just past the name at `start`, or why it is malformed. Each
 * compression pointer must point before the name's start and before every
 * earlier pointer's target: the targets strictly decrease, so following
 * pointers always ends. The expanded name is bounded too.
 */
function skipName(b: Uint8Array, start: number): number | string {
  let at = start;
  let limit = start; // the next pointer must point below this
  let end = -1; // where the name ends in the message, set at the first pointer
  let length = 0;
  for (;;) {
    if (at >= b.length) return "name runs past the message";
    const len = b[at]!;
    if (len === 0) return end >= 0 ? end : at + 1;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (at + 1 >= b.length) return "compression pointer runs past the message";
      const target = ((len & 0x3f) << 8) | b[at + 1]!;
      if (target >= limit) return "compression pointer does not point backwards";
      if (end < 0) end = at + 2;
      at = limit = target;
      continue;
    }
    if (kind !== 0) return `label type 0x${kind.toString(16)} is not supported`;
    if (len > MAX_LABEL_BYTES) return "label longer than 63 bytes";
    length += len + 1;
    if (length > MAX_NAME_BYTES) return "name longer than 255 bytes";
    at += len + 1;
  }
}

/** EDNS options are {u16 code, u16 length, data} and must fill the rdata exactly. */
function checkOptions(b: Uint8Array, start: number, end: number): string | undefined {
  let at = start;
  while (at < end) {
    if (at + 4 > end) return "option header runs past the record";
    at += 4 + ((b[at + 2]! << 8) | b[at + 3]!);
  }
  return at === end ? undefined : "option data runs past the record";
}
