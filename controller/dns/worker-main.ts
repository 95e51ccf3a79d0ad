// Inside the DNS worker thread (started by worker-server.ts): a copy of the
// record table, kept current by the changes the main thread posts, and the
// UDP/TCP server of server.ts answering from it. A flood of datagrams then
// costs this thread's time, not the event loop that answers OpenFlow and HTTP.
//
// Messages in:  {op: "set", record} | {op: "delete", name} | {op: "sync", seq} | {op: "close"}
// Messages out: {type: "ready", port} | {type: "failed", message} | {type: "synced", seq} | {type: "closed"}
//               | {type: "answered", counts: {rcode: n}} (coalesced once per turn of this thread's loop, for the metrics)
import { parentPort, workerData } from "node:worker_threads";
import { type DnsChange, type DnsRecord, DnsRecords } from "./records.js";
import { startDnsServer } from "./server.js";

export interface DnsWorkerData {
  port: number;
  host: string;
  zone: string;
  ttl: number;
  records: DnsRecord[];
  tcp: boolean;
  maxTcpConnections?: number;
  tcpIdleMs?: number;
}

type Inbound = DnsChange | { op: "sync"; seq: number } | { op: "close" };

async function main(port: NonNullable<typeof parentPort>, data: DnsWorkerData): Promise<void> {
  const records = new DnsRecords({ zone: data.zone, ttl: data.ttl });
  for (const record of data.records) records.apply({ op: "set", record });
  // Changes that arrive while the sockets bind are applied too: the listener is on from the start.
  let server: Awaited<ReturnType<typeof startDnsServer>> | undefined;
  port.on("message", (m: Inbound) => {
    if (m.op === "sync") port.postMessage({ type: "synced", seq: m.seq });
    else if (m.op === "close") void server?.close().then(() => port.postMessage({ type: "closed" }));
    else records.apply(m);
  });
  // Answers counted by rcode and posted once per loop turn: one message per burst, not per datagram.
  let counts: Record<number, number> | undefined;
  const answered = (rcode: number) => {
    if (!counts) {
      counts = {};
      setImmediate(() => {
        port.postMessage({ type: "answered", counts });
        counts = undefined;
      });
    }
    counts[rcode] = (counts[rcode] ?? 0) + 1;
  };
  try {
    server = await startDnsServer({
      port: data.port,
      host: data.host,
      records,
      onAnswer: answered,
      tcp: data.tcp,
      ...(data.maxTcpConnections === undefined ? {} : { maxTcpConnections: data.maxTcpConnections }),
      ...(data.tcpIdleMs === undefined ? {} : { tcpIdleMs: data.tcpIdleMs }),
    });
    port.postMessage({ type: "ready", port: server.port });
  } catch (err) {
    port.postMessage({ type: "failed", message: (err as Error).message, code: (err as NodeJS.ErrnoException).code });
  }
}

if (parentPort) void main(parentPort, workerData as DnsWorkerData);
