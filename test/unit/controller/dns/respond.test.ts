// respond(): bytes in, bytes out. FORMERR for malformed queries, silence for
// runts and responses, EDNS (OPT back, BADVERS), REFUSED for other classes and
// zone transfers, the asked case kept, TC when an answer does not fit.
import dns2 from "dns2";
import { describe, expect, it } from "vitest";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { BADVERS, EDNS_PAYLOAD_BYTES, respond } from "../../../../controller/dns/respond.js";

const { Packet } = dns2;
type Question = InstanceType<typeof Packet.Question>;

function table(): DnsRecords {
  const t = new DnsRecords({ zone: "svc.fleximigrate.local", ttl: 5 });
  t.set("web", "10.0.0.5");
  return t;
}

function query(name: string, opts: { type?: number; cls?: number; edns?: number; id?: number } = {}): Buffer {
  const q = new Packet();
  q.header.id = opts.id ?? 99;
  q.header.rd = 1;
  q.questions.push({ name, type: opts.type ?? 1, class: opts.cls ?? 1 } as Question);
  const wire = q.toBuffer();
  if (opts.edns === undefined) return wire;
  // OPT: root name, type 41, class = payload size 4096, ttl = version << 16, no options.
  const opt = Buffer.from([0, 0, 41, 0x10, 0, 0, opts.edns, 0, 0, 0, 0]);
  const out = Buffer.concat([wire, opt]);
  out.writeUInt16BE(1, 10);
  return out;
}

const answer = (bytes: Buffer) => {
  const out = respond(table(), bytes);
  if (!out) throw new Error("no answer");
  return Packet.parse(out);
};

describe("respond", () => {
  it("answers a plain query authoritatively, with no OPT when none was asked", () => {
    const r = answer(query("web.svc.fleximigrate.local"));
    expect(r.header).toMatchObject({ id: 99, qr: 1, aa: 1, rcode: 0 });
    expect(r.answers[0]).toMatchObject({ address: "10.0.0.5", ttl: 5 });
    expect(r.additionals).toHaveLength(0);
  });

  it("keeps the case of the name as asked, in the question and the answer", () => {
    const r = answer(query("WeB.SvC.fleximigrate.LOCAL"));
    expect(r.questions[0]!.name).toBe("WeB.SvC.fleximigrate.LOCAL");
    expect(r.answers[0]!.name).toBe("WeB.SvC.fleximigrate.LOCAL");
  });

  it("answers FORMERR with the id and opcode for the count bomb, and nothing for runts or responses", () => {
    const bomb = Buffer.alloc(46);
    bomb.writeUInt16BE(0xbeef, 0);
    for (const at of [4, 6, 8, 10]) bomb.writeUInt16BE(0xffff, at);
    const out = respond(table(), bomb)!;
    expect(out).toHaveLength(12);
    expect(Packet.parse(out).header).toMatchObject({ id: 0xbeef, qr: 1, rcode: 1, qdcount: 0 });
    expect(respond(table(), Buffer.alloc(5))).toBeNull();
    const response = query("web.svc.fleximigrate.local");
    response[2]! |= 0x80;
    expect(respond(table(), response)).toBeNull();
  });

  it("sends an OPT record back to an EDNS query, with our payload size", () => {
    const r = answer(query("web.svc.fleximigrate.local", { edns: 0 }));
    expect(r.header.rcode).toBe(0);
    const opt = r.additionals.find((x) => x.type === 41);
    expect(opt).toMatchObject({ class: EDNS_PAYLOAD_BYTES, version: 0 });
  });

  it("answers BADVERS, with an OPT, to EDNS versions above 0", () => {
    const r = answer(query("web.svc.fleximigrate.local", { edns: 1 }));
    expect(r.header.rcode).toBe(BADVERS);
    expect(r.answers).toHaveLength(0);
    expect(r.additionals.find((x) => x.type === 41)).toBeDefined();
  });

  it("refuses classes other than IN and zone transfers", () => {
    expect(answer(query("version.bind", { cls: 3, type: 16 })).header.rcode).toBe(5);
    expect(answer(query("web.svc.fleximigrate.local", { cls: 255 })).header.rcode).toBe(5);
    expect(answer(query("svc.fleximigrate.local", { type: 252 })).header.rcode).toBe(5);
    expect(answer(query("svc.fleximigrate.local", { type: 251 })).header.rcode).toBe(5);
  });

  it("answers FORMERR to two OPT records", () => {
    const one = query("web.svc.fleximigrate.local", { edns: 0 });
    const two = Buffer.concat([one, one.subarray(one.length - 11)]);
    two.writeUInt16BE(2, 10);
    expect(answer(two).header.rcode).toBe(1);
  });
});
