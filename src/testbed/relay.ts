// The WAN relay's shell: two UDP sockets (one per side of the WAN link, each
// where that side's VXLAN device sends its datagrams) and one DelayQueue per
// direction. A datagram from side A is sent, after the delay, from B's socket
// to B's VXLAN socket, and back the other way. Runs inside the relay's network
// namespace; the kernel VXLAN devices accept datagrams from any source address.
import { createSocket, type Socket } from "node:dgram";
import { DelayQueue, type DelayQueueStats } from "./delay-queue.js";

export const VXLAN_PORT = 4789;

export interface RelayOptions {
  /** The relay's own address on side A, and the A-side VXLAN endpoint it forwards to. */
  a: string;
  aPeer: string;
  b: string;
  bPeer: string;
  port?: number;
  delayMs: number;
  queueFrames: number;
}

export interface RunningRelay {
  stats(): { aToB: DelayQueueStats; bToA: DelayQueueStats };
  close(): Promise<void>;
}

/** Milliseconds with sub-millisecond precision, monotonic. */
const now = () => performance.now();

export async function startRelay(o: RelayOptions): Promise<RunningRelay> {
  const port = o.port ?? VXLAN_PORT;
  const sa = createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const sb = createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const aToB = new DelayQueue<Buffer>(o.delayMs, o.queueFrames);
  const bToA = new DelayQueue<Buffer>(o.delayMs, o.queueFrames);
  const lane = (from: Socket, q: DelayQueue<Buffer>, out: Socket, peer: string) => {
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      for (const frame of q.takeDue(now())) out.send(frame, port, peer);
      arm();
    };
    const arm = () => {
      const due = q.nextDue();
      if (due === null || timer) return;
      timer = setTimeout(flush, Math.max(0, due - now()));
    };
    from.on("message", (msg) => {
      // With no delay a frame goes out at once: the relay then adds only its own cost.
      if (o.delayMs === 0 && q.size === 0) {
        q.push(msg, now());
        for (const frame of q.takeDue(Number.POSITIVE_INFINITY)) out.send(frame, port, peer);
        return;
      }
      q.push(msg, now());
      arm();
    });
    return () => timer && clearTimeout(timer);
  };
  await Promise.all([bind(sa, o.a, port), bind(sb, o.b, port)]);
  const stopA = lane(sa, aToB, sb, o.bPeer);
  const stopB = lane(sb, bToA, sa, o.aPeer);
  return {
    stats: () => ({ aToB: { ...aToB.stats }, bToA: { ...bToA.stats } }),
    async close() {
      stopA();
      stopB();
      await Promise.all([new Promise<void>((r) => sa.close(() => r())), new Promise<void>((r) => sb.close(() => r()))]);
    },
  };
}

function bind(s: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.bind(port, address, () => {
      s.off("error", reject);
      resolve();
    });
  });
}
