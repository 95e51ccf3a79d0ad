// The controller's authoritative DNS server over UDP and TCP on one port,
// answering from the live DnsRecords table (so a change is visible to the
// very next query). The sockets are ours, not dns2's servers: every message
// goes through respond(), whose bounded wire check runs before dns2 parses,
// so no datagram or stream costs more than its length.
//
// API: startDnsServer({port, host, records, zone?, tcp?}) -> Promise<{port, host, close()}>
//   port 0 picks a free port shared by UDP and TCP. The zone served is records.zone
//   (new DnsRecords({zone, ttl})); `zone`, if given, must match it.
import dgram from "node:dgram";
import net, { type AddressInfo } from "node:net";
import { type DnsRecords, normalizeZone } from "./records.js";
import { respond } from "./respond.js";

export { buildResponse } from "./respond.js";

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
  /** Called when a reply cannot be sent (default: ignored). */
  onError?: (err: Error) => void;
  /** Called with each reply's response code (the controller's metrics). */
  onAnswer?: (rcode: number) => void;
  /** TCP limits: open connections, and idle time before a connection is closed (RFC 7766 §6.2.3). */
  maxTcpConnections?: number;
  tcpIdleMs?: number;
}

export interface RunningDnsServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_TCP = 128;
const DEFAULT_TCP_IDLE_MS = 10_000;
const UDP_RECEIVE_BUFFER_BYTES = 4 << 20;

export async function startDnsServer(opts: DnsServerOptions): Promise<RunningDnsServer> {
  const host = opts.host ?? "127.0.0.1";
  if (opts.zone !== undefined && normalizeZone(opts.zone) !== opts.records.zone) {
    throw new Error(`DNS zone ${opts.zone} differs from the record table's zone ${opts.records.zone}`);
  }
  // With port 0, UDP picks the port and TCP must get the same one; retry on the rare clash.
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(opts, opts.port ?? 5353, host);
    const port = (udp.address() as AddressInfo).port;
    if (!(opts.tcp ?? true)) return { port, host, close: () => closeUdp(udp) };
    try {
      const tcp = await listenTcp(opts, port, host);
      return { port, host, close: async () => void (await Promise.all([closeUdp(udp), tcp.close()])) };
    } catch (err) {
      await closeUdp(udp);
      if (opts.port === 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 5) continue;
      throw err;
    }
  }
}

async function bindUdp(opts: DnsServerOptions, port: number, host: string): Promise<dgram.Socket> {
  const udp = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
  udp.on("message", (msg, peer) => {
    const reply = respond(opts.records, msg);
    if (reply) opts.onAnswer?.(reply[3]! & 0x0f);
    if (reply) udp.send(reply, peer.port, peer.address, (err) => err && opts.onError?.(err));
  });
  udp.on("error", (err) => opts.onError?.(err));
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  // Room for a burst: what the kernel drops when the buffer is full never reaches the check.
  udp.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
  return udp;
}

/** DNS over TCP: each message is prefixed by its u16 length (RFC 1035 §4.2.2). */
async function listenTcp(opts: DnsServerOptions, port: number, host: string): Promise<{ close(): Promise<void> }> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    if (connections.size >= (opts.maxTcpConnections ?? DEFAULT_MAX_TCP)) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(opts.tcpIdleMs ?? DEFAULT_TCP_IDLE_MS, () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // A u16 length caps what one connection can make us hold at 64 KiB + 2.
      while (pending.length >= 2) {
        const size = pending.readUInt16BE(0);
        if (pending.length < 2 + size) break;
        const reply = respond(opts.records, pending.subarray(2, 2 + size));
        pending = pending.subarray(2 + size);
        if (!reply) {
          // A stream that sends responses or runts is not speaking DNS to us.
          socket.destroy();
          return;
        }
        opts.onAnswer?.(reply[3]! & 0x0f);
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}

function closeUdp(udp: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      udp.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
