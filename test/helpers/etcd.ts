// A real etcd member for a test (Debian's etcd-server): its own data folder and
// loopback ports, started and waited for, stopped by PID and its folder removed.
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

export async function startEtcd(name = "fm-etcd"): Promise<TestEtcd> {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${clientPort}`;
  let child: TrackedChild | undefined;
  try {
    child = spawnChild("etcd", [
      "--name", name, "--data-dir", path.join(dir, "data"),
      "--listen-client-urls", client, "--advertise-client-urls", client,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `${name}=${peer}`, "--initial-cluster-state", "new",
      "--log-level", "warn",
    ]);
    const probe = new Etcd3({ hosts: client, dialTimeout: 1_000 });
    try {
      await waitFor(async () => (await probe.get("/probe").string().then(() => true, () => false)) || null, { timeoutMs: 20_000, what: `etcd ${name} to answer on ${client}` });
    } finally {
      probe.close();
    }
  } catch (err) {
    await child?.stop(0);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${child?.stderr().slice(-2_000) ?? ""}`);
  }
  const running = child;
  return {
    url: `etcd://127.0.0.1:${clientPort}`,
    clientPort,
    async stop() {
      await running.stop(2_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
