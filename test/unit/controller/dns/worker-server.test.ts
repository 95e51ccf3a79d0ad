// The DNS server in its worker thread answers from a copy of the table that
// follows every change: after sync() the next query sees it.
import dgram from "node:dgram";
import dns2 from "dns2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { type RunningDnsWorker, startDnsWorker } from "../../../../controller/dns/worker-server.js";

const { Packet } = dns2;
const records = new DnsRecords({ zone: "svc.test" });
let dns: RunningDnsWorker;
let client: dgram.Socket;

beforeAll(async () => {
  records.set("before", "10.0.0.1");
  dns = await startDnsWorker({ port: 0, records });
  client = dgram.createSocket("udp4");
  await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
}, 30_000);

afterAll(async () => {
  client.close();
  await dns.close();
});

let nextId = 1;
function ask(name: string): Promise<{ rcode: number; address?: string }> {
  const q = new Packet();
  const id = nextId++;
  q.header.id = id;
  q.questions.push({ name, type: 1, class: 1 } as InstanceType<typeof Packet.Question>);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${name}`)), 5_000);
    const onMessage = (msg: Buffer) => {
      const r = Packet.parse(msg);
      if (r.header.id !== id) return;
      clearTimeout(timer);
      client.off("message", onMessage);
      resolve({ rcode: r.header.rcode, address: (r.answers[0] as { address?: string } | undefined)?.address });
    };
    client.on("message", onMessage);
    client.send(q.toBuffer(), dns.port, "127.0.0.1");
  });
}

describe("the DNS worker", () => {
  it("starts with the table's records, and follows each change once synced", async () => {
    expect(await ask("before.svc.test")).toEqual({ rcode: 0, address: "10.0.0.1" });
    expect((await ask("later.svc.test")).rcode).toBe(3);
    records.set("later", "10.0.0.2");
    records.set("before", "10.0.0.9");
    await dns.sync();
    expect(await ask("later.svc.test")).toEqual({ rcode: 0, address: "10.0.0.2" });
    expect(await ask("before.svc.test")).toEqual({ rcode: 0, address: "10.0.0.9" });
    records.delete("later");
    await dns.sync();
    expect((await ask("later.svc.test")).rcode).toBe(3);
  });

  it("refuses to start on a port another socket holds, with the bind's error", async () => {
    await expect(startDnsWorker({ port: dns.port, records, tcp: false })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
