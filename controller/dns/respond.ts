// One DNS message in, the bytes to answer (or nothing) out: the pure core the
// UDP and TCP shells in server.ts call. dns2 parses only what the bounded
// wire check let through, and encodes the answer.
//
// API: respond(records, bytes) -> Buffer | null
//   null: not worth an answer (shorter than a header, or itself a response:
//   answering those would let two servers bounce garbage between them).
//   FORMERR: malformed (RFC 1035 §4.1.1), echoing the id and opcode.
//   NOTIMP: opcodes other than QUERY. REFUSED: classes other than IN, zone
//   transfers (AXFR/IXFR), names outside the zone. BADVERS: EDNS version > 0
//   (RFC 6891 §6.1.3). Queries with an OPT record get one back (RFC 6891 §7).
import dns2 from "dns2";
import { type AnswerRecord, answerQuestion, RCODE } from "./answer.js";
import type { DnsRecords } from "./records.js";
import { checkMessage, type WireHeader } from "./wire-check.js";

const { Packet } = dns2;
type Packet = InstanceType<typeof dns2.Packet>;
type Resource = InstanceType<typeof dns2.Packet.Resource>;

/** RFC 6891 §6.1.3: rcode 16 is BADVERS, carried in the OPT record's extended rcode. */
export const BADVERS = 16;
/** RFC 1035 class IN; RFC 1995/5936 zone transfer types. */
const CLASS_IN = 1;
const QTYPE_IXFR = 251;
const QTYPE_AXFR = 252;
/** What we advertise: the payload size that avoids IP fragmentation (DNS flag day 2020). */
export const EDNS_PAYLOAD_BYTES = 1232;
export function respond(records: DnsRecords, bytes: Uint8Array): Buffer | null {
  const check = checkMessage(bytes);
  if (!check.header || check.header.qr === 1) return null;
  if (!check.ok) return formErr(check.header);
  let request: Packet;
  try {
    request = Packet.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return formErr(check.header);
  }
  // At most one A record or one SOA, and a question of at most 259 bytes:
  // every answer fits the 512 bytes of classic UDP, so none is ever truncated.
  return buildResponse(records, request).toBuffer();
}

/** Encodes the pure answer into a dns2 response packet. Exported for codec-level tests. */
export function buildResponse(records: DnsRecords, request: Packet): Packet {
  const response = Packet.createResponseFromRequest(request);
  response.header.ra = 0;
  response.answers = [];
  response.authorities = [];
  response.additionals = [];
  const opts = (request.additionals ?? []).filter((r) => r.type === Packet.TYPE.EDNS);
  const [question] = request.questions ?? [];
  const rcode = (code: number) => {
    response.header.rcode = code;
    return response;
  };
  if (opts.length > 1) return rcode(RCODE.FORMERR);
  if (opts.length === 1) {
    response.additionals = [ednsRecord()];
    if (((opts[0]!.ttl ?? 0) >>> 16) & 0xff) return rcode(BADVERS);
  }
  if (request.header.opcode !== 0) return rcode(RCODE.NOTIMP);
  if (!question || request.questions.length !== 1) return rcode(RCODE.FORMERR);
  if (question.class !== CLASS_IN || question.type === QTYPE_AXFR || question.type === QTYPE_IXFR) return rcode(RCODE.REFUSED);
  const answer = answerQuestion(records, question);
  response.header.aa = answer.authoritative ? 1 : 0;
  response.answers = answer.answers.map(toResource);
  response.authorities = answer.authorities.map(toResource);
  return rcode(answer.rcode);
}

/** Our OPT record: version 0, no options. dns2's typings omit EDNS's second (options) argument. */
function ednsRecord(): Resource {
  const make = Packet.Resource.EDNS as unknown as (rdata: unknown[], opts: { udpPayloadSize: number }) => Resource;
  return make([], { udpPayloadSize: EDNS_PAYLOAD_BYTES });
}

/** A 12-byte FORMERR echoing the request's id, opcode and RD bit, with no sections. */
export function formErr(h: WireHeader): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(h.id, 0);
  b.writeUInt16BE((1 << 15) | (h.opcode << 11) | (h.rd << 8) | RCODE.FORMERR, 2);
  return b;
}

function toResource(r: AnswerRecord): Resource {
  const base = { name: r.name, class: Packet.CLASS.IN, ttl: r.ttl };
  switch (r.kind) {
    case "A":
      return { ...base, type: Packet.TYPE.A, address: r.address } as Resource;
    case "NS":
      return { ...base, type: Packet.TYPE.NS, ns: r.ns } as Resource;
    case "SOA": {
      const { kind: _kind, ...soa } = r;
      return { ...soa, class: Packet.CLASS.IN, type: Packet.TYPE.SOA } as Resource;
    }
  }
}
