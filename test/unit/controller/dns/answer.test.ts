import dns2 from "dns2";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerQuestion, QTYPE, RCODE } from "../../../../controller/dns/answer.js";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { buildResponse } from "../../../../controller/dns/server.js";

const { Packet } = dns2;

function table() {
  const t = new DnsRecords({ ttl: 5 });
  t.set("web", "10.0.0.5");
  t.set("api.eu", "10.0.2.8", 20);
  return t;
}

describe("answerQuestion", () => {
  it("answers A for a known name with the record's TTL, authoritatively, keeping the asked case", () => {
    const a = answerQuestion(table(), { name: "WeB.svc.fleximigrate.local", type: QTYPE.A });
    expect(a).toMatchObject({ rcode: RCODE.NOERROR, authoritative: true, authorities: [] });
    expect(a.answers).toEqual([{ kind: "A", name: "WeB.svc.fleximigrate.local", ttl: 5, address: "10.0.0.5" }]);
    expect(answerQuestion(table(), { name: "api.eu.svc.fleximigrate.local.", type: QTYPE.ANY }).answers[0]).toMatchObject({ ttl: 20, address: "10.0.2.8" });
  });

  it("gives NXDOMAIN with the SOA for unknown names, NODATA for other types and empty non-terminals", () => {
    const nx = answerQuestion(table(), { name: "nope.svc.fleximigrate.local", type: QTYPE.A });
    expect(nx.rcode).toBe(RCODE.NXDOMAIN);
    expect(nx.authoritative).toBe(true);
    expect(nx.authorities[0]).toMatchObject({ kind: "SOA", name: "svc.fleximigrate.local", minimum: 5 });
    const aaaa = answerQuestion(table(), { name: "web.svc.fleximigrate.local", type: 28 });
    expect(aaaa).toMatchObject({ rcode: RCODE.NOERROR, answers: [] });
    expect(answerQuestion(table(), { name: "eu.svc.fleximigrate.local", type: QTYPE.A }).rcode).toBe(RCODE.NOERROR);
  });

  it("answers SOA and NS at the apex", () => {
    expect(answerQuestion(table(), { name: "svc.fleximigrate.local", type: QTYPE.SOA }).answers[0]?.kind).toBe("SOA");
    expect(answerQuestion(table(), { name: "svc.fleximigrate.local", type: QTYPE.NS }).answers[0]).toMatchObject({ kind: "NS", ns: "ns.svc.fleximigrate.local" });
  });

  it("refuses names outside the zone, not authoritatively", () => {
    for (const name of ["example.com", "fleximigrate.local", "xsvc.fleximigrate.local"]) {
      expect(answerQuestion(table(), { name, type: QTYPE.A }), name).toEqual({ rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [] });
    }
  });
});

describe("answerQuestion (property)", () => {
  it("is authoritative exactly for names in the zone, and answers only names in the table", () => {
    const t = table();
    const label = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    const name = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join(".")}.svc.fleximigrate.local`),
      fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")),
      fc.constantFrom("web.svc.fleximigrate.local", "api.eu.svc.fleximigrate.local", "svc.fleximigrate.local"),
    );
    fc.assert(
      fc.property(name, (n) => {
        const a = answerQuestion(t, { name: n, type: QTYPE.A });
        const inside = n === "svc.fleximigrate.local" || n.endsWith(".svc.fleximigrate.local");
        expect(a.authoritative).toBe(inside);
        expect(a.rcode === RCODE.REFUSED).toBe(!inside);
        expect(a.answers.length > 0).toBe(t.get(n) !== undefined && n !== "svc.fleximigrate.local");
      }),
    );
  });
});

describe("buildResponse (wire level)", () => {
  function roundTrip(name: string, type: number) {
    const query = new Packet();
    query.header.id = 4242;
    query.header.rd = 1;
    query.questions.push({ name, type, class: Packet.CLASS.IN } as InstanceType<typeof Packet.Question>);
    const parsedQuery = Packet.parse(query.toBuffer());
    return Packet.parse(buildResponse(table(), parsedQuery).toBuffer());
  }

  it("encodes an authoritative A answer that parses back", () => {
    const r = roundTrip("web.svc.fleximigrate.local", Packet.TYPE.A);
    expect(r.header).toMatchObject({ id: 4242, qr: 1, aa: 1, rcode: 0, rd: 1, ra: 0 });
    expect(r.answers).toHaveLength(1);
    expect(r.answers[0]).toMatchObject({ name: "web.svc.fleximigrate.local", type: Packet.TYPE.A, ttl: 5, address: "10.0.0.5" });
  });

  it("encodes NXDOMAIN with an SOA authority and REFUSED without aa", () => {
    const nx = roundTrip("gone.svc.fleximigrate.local", Packet.TYPE.A);
    expect(nx.header.rcode).toBe(3);
    expect(nx.authorities[0]).toMatchObject({ type: Packet.TYPE.SOA, primary: "ns.svc.fleximigrate.local" });
    const refused = roundTrip("example.org", Packet.TYPE.A);
    expect(refused.header).toMatchObject({ rcode: 5, aa: 0 });
    expect(refused.answers).toHaveLength(0);
  });

  it("answers NOTIMP to a non-QUERY opcode", () => {
    const q = new Packet();
    q.header.opcode = 2;
    q.questions.push({ name: "web.svc.fleximigrate.local", type: 1, class: 1 } as InstanceType<typeof Packet.Question>);
    expect(buildResponse(table(), Packet.parse(q.toBuffer())).header.rcode).toBe(4);
  });
});
