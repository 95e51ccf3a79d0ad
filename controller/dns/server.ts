// The controller's authoritative DNS server: dns2 over UDP and TCP on one
// port, answering from the live DnsRecords table (so a change is visible to
// the very next query).
//
// API: startDnsServer({port, host, records, zone?, tcp?}) -> Promise<{port, host, close()}>
//   port 0 picks a free port shared by UDP and TCP. The zone served is records.zone
//   (new DnsRecords({zone, ttl})); `zone`, if given, must match it.
import dns2 from "dns2";
import type { AddressInfo, Socket } from "node:net";
import { type AnswerRecord, answerQuestion, RCODE } from "./answer.js";
import { type DnsRecords, normalizeZone } from "./records.js";

const { Packet, UDPServer, TCPServer } = dns2;
type Packet = InstanceType<typeof dns2.Packet>;

export interface DnsServerOptions {
  /** UDP (and TCP) port; 0 = any free port. Default 5353. */
  port?: number;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  records: DnsRecords;
  /** The zone to serve; must be the table's (records.zone). Optional: a guard against wiring mistakes. */
  zone?: string;
  /** Also serve DNS over TCP on the same port (default true). */
  tcp?: boolean;
  /** Called for requests dns2 cannot parse (default: ignored). */
  onError?: (err: Error) => void;
}

export interface RunningDnsServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<RunningDnsServer> {
  const host = opts.host ?? "127.0.0.1";
  if (opts.zone !== undefined && normalizeZone(opts.zone) !== opts.records.zone) {
    throw new Error(`DNS zone ${opts.zone} differs from the record table's zone ${opts.records.zone}`);
  }
  const wantTcp = opts.tcp ?? true;
  const handler = (request: Packet, send: (r: Packet) => Promise<unknown>) => {
    send(buildResponse(opts.records, request)).catch((err: Error) => opts.onError?.(err));
  };
  // With port 0, UDP picks the port and TCP must get the same one; retry on the rare clash.
  for (let attempt = 0; ; attempt++) {
    const udp = new UDPServer({ type: "udp4" });
    udp.on("request", handler);
    udp.on("requestError", (err: Error) => opts.onError?.(err));
    await bindUdp(udp, opts.port ?? 5353, host);
    const port = (udp.address() as AddressInfo).port;
    if (!wantTcp) return { port, host, close: () => closeUdp(udp) };
    const tcp = new TCPServer();
    // net.Server.close waits for open connections; dns2 keeps idle ones for 10 s. Track them to end them on close.
    const connections = new Set<Socket>();
    tcp.on("connection", (socket: Socket) => {
      connections.add(socket);
      socket.once("close", () => connections.delete(socket));
    });
    tcp.on("request", handler);
    tcp.on("requestError", (err: Error) => opts.onError?.(err));
    try {
      await listenTcp(tcp, port, host);
    } catch (err) {
      await closeUdp(udp);
      if (opts.port === 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 5) continue;
      throw err;
    }
    return {
      port,
      host,
      close: async () => {
        const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const socket of connections) socket.destroy();
        await Promise.all([closeUdp(udp), tcpClosed]);
      },
    };
  }
}

/** Encodes the pure answer into a dns2 response packet. Exported for codec-level tests. */
export function buildResponse(records: DnsRecords, request: Packet): Packet {
  const response = Packet.createResponseFromRequest(request);
  response.header.ra = 0;
  const [question] = request.questions;
  if (request.header.opcode !== 0) {
    response.header.rcode = RCODE.NOTIMP;
    return response;
  }
  if (!question || request.questions.length !== 1) {
    response.header.rcode = RCODE.FORMERR;
    return response;
  }
  const answer = answerQuestion(records, question);
  response.header.rcode = answer.rcode;
  response.header.aa = answer.authoritative ? 1 : 0;
  response.answers = answer.answers.map(toResource);
  response.authorities = answer.authorities.map(toResource);
  return response;
}

function toResource(r: AnswerRecord): InstanceType<typeof dns2.Packet.Resource> {
  const base = { name: r.name, class: Packet.CLASS.IN, ttl: r.ttl };
  switch (r.kind) {
    case "A":
      return { ...base, type: Packet.TYPE.A, address: r.address } as InstanceType<typeof dns2.Packet.Resource>;
    case "NS":
      return { ...base, type: Packet.TYPE.NS, ns: r.ns } as InstanceType<typeof dns2.Packet.Resource>;
    case "SOA": {
      const { kind: _kind, ...soa } = r;
      return { ...soa, class: Packet.CLASS.IN, type: Packet.TYPE.SOA } as InstanceType<typeof dns2.Packet.Resource>;
    }
  }
}

function bindUdp(udp: InstanceType<typeof UDPServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => {
      udp.off("error", reject);
      resolve();
    });
  });
}

function listenTcp(tcp: InstanceType<typeof TCPServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => {
      tcp.off("error", reject);
      resolve();
    });
  });
}

function closeUdp(udp: InstanceType<typeof UDPServer>): Promise<void> {
  return new Promise((resolve) => {
    try {
      udp.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
