// Real etcd members for a test (Debian's etcd-server): their own data folders
// and loopback ports, started and waited for, stopped by PID and their folders
// removed. One member for the store tests; three for the HA tests, each of
// which can be killed and started again on its own data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Etcd3 } from "etcd3";
import { freePort } from "./ports.js";
import { spawnChild, type TrackedChild } from "./processes.js";
import { waitFor } from "./wait.js";

export interface TestEtcd {
  /** `etcd://127.0.0.1:PORT`, as --store takes it. */
  url: string;
  clientPort: number;
  stop(): Promise<void>;
}

export interface EtcdMember {
  name: string;
  clientPort: number;
  /** `http://127.0.0.1:PORT`. */
  client: string;
  running(): boolean;
  /** SIGKILL: the member dies as a crashed host would. */
  kill(): Promise<void>;
  /** Starts it again on its own data folder. */
  start(): Promise<void>;
}

export interface TestEtcdCluster {
  /** `etcd://` with every member, as --store takes it. */
  url: string;
  members: EtcdMember[];
  stop(): Promise<void>;
}

export async function startEtcd(name = "fm-etcd"): Promise<TestEtcd> {
  const cluster = await startEtcdCluster(1, name);
  const member = cluster.members[0]!;
  return { url: cluster.url, clientPort: member.clientPort, stop: () => cluster.stop() };
}

/** `size` members on loopback forming one cluster; resolves once it answers a linearizable read. */
export async function startEtcdCluster(size: number, name = "fm-etcd"): Promise<TestEtcdCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const specs: { name: string; client: string; clientPort: number; peer: string }[] = [];
  for (let i = 0; i < size; i++) {
    const clientPort = await freePort();
    const peerPort = await freePort();
    specs.push({ name: size === 1 ? name : `${name}-${i}`, clientPort, client: `http://127.0.0.1:${clientPort}`, peer: `http://127.0.0.1:${peerPort}` });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peer}`).join(",");
  const children = new Map<string, TrackedChild>();
  const launch = (s: (typeof specs)[number]): TrackedChild => {
    const child = spawnChild("etcd", [
      "--name", s.name, "--data-dir", path.join(dir, s.name),
      "--listen-client-urls", s.client, "--advertise-client-urls", s.client,
      "--listen-peer-urls", s.peer, "--initial-advertise-peer-urls", s.peer,
      "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
      "--initial-cluster-token", path.basename(dir),
      "--log-level", "warn",
    ]);
    children.set(s.name, child);
    return child;
  };
  const answers = async (hosts: string[], what: string): Promise<void> => {
    const probe = new Etcd3({ hosts, dialTimeout: 1_000 });
    try {
      await waitFor(async () => (await probe.get("/probe").string().then(() => true, () => false)) || null, { timeoutMs: 30_000, what });
    } finally {
      probe.close();
    }
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all([...children.values()].map((c) => c.stop(2_000)));
    children.clear();
  };
  try {
    for (const s of specs) launch(s);
    await answers(specs.map((s) => s.client), `etcd ${name} (${size} members) to answer`);
  } catch (err) {
    const logs = [...children.values()].map((c) => c.stderr().slice(-1_000)).join("\n");
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  const members: EtcdMember[] = specs.map((s) => ({
    name: s.name,
    clientPort: s.clientPort,
    client: s.client,
    running: () => children.has(s.name),
    async kill() {
      const child = children.get(s.name);
      children.delete(s.name);
      if (!child) return;
      process.kill(child.pid, "SIGKILL");
      await child.exited;
    },
    async start() {
      if (children.has(s.name)) return;
      launch(s);
      await answers([s.client], `etcd member ${s.name} to answer again`);
    },
  }));
  return {
    url: `etcd://${specs.map((s) => `127.0.0.1:${s.clientPort}`).join(",")}`,
    members,
    async stop() {
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
