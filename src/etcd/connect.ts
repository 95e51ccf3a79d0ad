// One etcd client per process, checked before the service starts: a store
// that cannot be reached is a clear start-up error, not a first request's 503.
import { Etcd3 } from "etcd3";
import type { EtcdEndpoints } from "./endpoints.js";

export interface EtcdConnection {
  client: Etcd3;
  close(): void;
}

export async function connectEtcd(endpoints: EtcdEndpoints, opts: { timeoutMs?: number } = {}): Promise<EtcdConnection> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const client = new Etcd3({ hosts: endpoints.hosts, dialTimeout: timeoutMs });
  try {
    // A linearizable read: answered only by a cluster with a leader.
    await client.get("/fleximigrate/.probe").options({ deadline: Date.now() + timeoutMs }).string();
  } catch (err) {
    client.close();
    throw new Error(`etcd at ${endpoints.hosts.join(",")} cannot be reached: ${(err as Error).message}`);
  }
  return { client, close: () => client.close() };
}

/** The exclusive end of a prefix range: the prefix with its last byte plus one. */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  return end;
}
