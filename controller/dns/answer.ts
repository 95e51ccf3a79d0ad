// Pure answer logic of the authoritative server: one question in, the rcode
// and the records to send out. The dns2 shell in server.ts only encodes it.
//
// API: answerQuestion(records, {name, type}) -> DnsAnswer
//   in zone, known name, type A/ANY -> NOERROR, aa, one A record with the record's TTL
//   in zone, known name, other type -> NOERROR, aa, no answer (NODATA), SOA in authority
//   in zone, unknown name           -> NXDOMAIN, aa, SOA in authority (negative TTL = default TTL)
//   zone apex, SOA/NS               -> the SOA / NS record
//   outside the zone                -> REFUSED, not authoritative
import { type DnsRecords, inZone } from "./records.js";

/** DNS numbers used here (RFC 1035, RFC 6895). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const QTYPE = { A: 1, NS: 2, SOA: 6, ANY: 255 } as const;

export type AnswerRecord =
  | { kind: "A"; name: string; ttl: number; address: string }
  | { kind: "NS"; name: string; ttl: number; ns: string }
  | {
      kind: "SOA";
      name: string;
      ttl: number;
      primary: string;
      admin: string;
      serial: number;
      refresh: number;
      retry: number;
      expiration: number;
      minimum: number;
    };

export interface DnsAnswer {
  rcode: number;
  authoritative: boolean;
  answers: AnswerRecord[];
  authorities: AnswerRecord[];
}

export function answerQuestion(records: DnsRecords, question: { name: string; type: number }): DnsAnswer {
  const zone = records.zone;
  const qname = question.name.toLowerCase().replace(/\.$/, "");
  if (!inZone(qname, zone)) return { rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [] };
  const soa = soaRecord(records);
  const nodata = (rcode: number): DnsAnswer => ({ rcode, authoritative: true, answers: [], authorities: [soa] });

  if (qname === zone) {
    if (question.type === QTYPE.SOA) return { rcode: RCODE.NOERROR, authoritative: true, answers: [soa], authorities: [] };
    if (question.type === QTYPE.NS) {
      return { rcode: RCODE.NOERROR, authoritative: true, answers: [{ kind: "NS", name: zone, ttl: records.defaultTtl, ns: nsName(zone) }], authorities: [] };
    }
    return nodata(RCODE.NOERROR);
  }
  const record = records.get(qname);
  if (!record) return nodata(records.hasDescendant(qname) ? RCODE.NOERROR : RCODE.NXDOMAIN);
  if (question.type !== QTYPE.A && question.type !== QTYPE.ANY) return nodata(RCODE.NOERROR);
  // Answer with the name as asked: resolvers that randomise case (0x20) compare it.
  const name = question.name.replace(/\.$/, "");
  return { rcode: RCODE.NOERROR, authoritative: true, answers: [{ kind: "A", name, ttl: record.ttl, address: record.ip }], authorities: [] };
}

function nsName(zone: string): string {
  return `ns.${zone}`;
}

function soaRecord(records: DnsRecords): AnswerRecord {
  const zone = records.zone;
  const ttl = records.defaultTtl;
  return {
    kind: "SOA",
    name: zone,
    ttl,
    primary: nsName(zone),
    admin: `hostmaster.${zone}`,
    // The table has no version counter that survives restarts; seconds since the epoch grow monotonically enough.
    serial: Math.floor(Date.now() / 1000) >>> 0,
    refresh: 60,
    retry: 10,
    expiration: 600,
    // RFC 2308: the SOA minimum is the negative-caching TTL; keep it as short as positive answers.
    minimum: ttl,
  };
}
