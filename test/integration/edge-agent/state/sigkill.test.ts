// Nothing acknowledged is lost when the agent is killed with SIGKILL, with
// real processes in their PID namespaces and cgroups: the agent runs from the
// CLI with a --state-dir, and a seeded random load creates and deletes direct
// workloads (ids reused now and then) and kills some behind the agent's back.
// At a random point of the load the agent is killed mid-request and started
// again on the same state directory. Then every acknowledged workload is
// listed, running exactly once (one process tree, in the one group of its
// own, as recorded); deleted ones are gone with their processes; one killed
// behind its back is listed as exited; the request in flight happened wholly
// or not at all (an unfinished create leaves no process); and a new workload
// with a reused id gets a group other than the old one's. The figures are printed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CGROUP_ROOT, removeGroup } from "../../../../edge-agent/runtime/cgroup.js";
import { pick, seededRng } from "../../../../src/random.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type Json, requestJson } from "../../../helpers/http.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { argvOf, busyGroupsOf, cgroupOfPid, pidsRunning } from "./agent-load.js";
import { TEST_ALLOW_FLAGS } from "../../../helpers/allow-list.js";

const NODE = "fmdur-a1";
const PORT = 24701;
const WORK = `/dev/shm/${NODE}`;
const SEED = Number(process.env.FM_SIGKILL_SEED ?? 1414);
const RESTARTS = 8;
const cgroupV1 = (): boolean => existsSync(path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us"));
const base = `http://127.0.0.1:${PORT}`;

interface Known {
  n: number;
  pid?: number;
  cgroup?: string;
  /** "running"; "killed" behind the agent's back. */
  state: "running" | "killed";
}

/**
 * A request the agent may be killed under: its failure is expected and read
 * later (`await request.catch(...)`); marked handled now, so a rejection that
 * comes while the test sleeps is not an unhandled one.
 */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

describeWhen("the agent under SIGKILL: nothing acknowledged lost", missing([needs.root(), [cgroupV1, "no cgroup v1 cpu controller"]]), () => {
  let stateDir = "";
  let agent: TrackedChild | undefined;
  const everyN: number[] = [];

  async function startAgent(): Promise<void> {
    agent = spawnChild(process.execPath, [CLI_PATH, "agent", "--node", NODE, "--tier", "edge", "--listen", `127.0.0.1:${PORT}`, "--work-dir", WORK, "--state-dir", stateDir, ...TEST_ALLOW_FLAGS, "--insecure"]);
    await agent.line((l) => l.includes('"listening"'), 30_000);
  }

  const list = async (): Promise<Map<string, Json>> => new Map(((await requestJson("GET", `${base}/v1/workloads`)).body.workloads as Json[]).map((w) => [w.id, w]));

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "fmdur-agent-kill-"));
    rmSync(WORK, { recursive: true, force: true });
    await startAgent();
  }, 60_000);

  afterAll(async () => {
    // A clean stop deletes every workload; then anything of ours still running (a failed run) goes by PID.
    await agent?.stop(15_000);
    for (const n of everyN) for (const pid of pidsRunning(argvOf(n))) process.kill(pid, "SIGKILL");
    await sleep(200);
    const nodeDir = path.join(CGROUP_ROOT, "cpu", "fleximigrate", NODE);
    if (existsSync(nodeDir)) for (const g of readdirSync(nodeDir)) await removeGroup(path.join("fleximigrate", NODE, g));
    rmSync(WORK, { recursive: true, force: true });
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it(`keeps every acknowledged workload running exactly once across ${RESTARTS} SIGKILLs`, async () => {
    const rng = seededRng(SEED);
    const known = new Map<string, Known>();
    const deleted = new Map<string, number>(); // id -> the n of its last incarnation
    const groupsOf = new Map<string, string[]>(); // id -> every group its incarnations got
    const lost: string[] = [];
    let acked = 0;
    let serial = 0;
    let reusedIds = 0;
    const cutShort: string[] = [];

    const create = (id: string) => {
      const n = serial++;
      everyN.push(n);
      return { n, request: handled(requestJson("POST", `${base}/v1/workloads`, { id, command: argvOf(n), cpuLimit: 0.1 }, 20_000)) };
    };

    const ackCreate = (id: string, n: number, body: Json) => {
      known.set(id, { n, pid: body.pid, cgroup: body.cgroup, state: "running" });
      deleted.delete(id);
      const before = groupsOf.get(id) ?? [];
      if (before.includes(body.cgroup)) lost.push(`${id}: a new incarnation joined an old group ${body.cgroup}`);
      if (before.length > 0) reusedIds++;
      groupsOf.set(id, [...before, body.cgroup]);
      acked++;
    };

    for (let restart = 1; restart <= RESTARTS; restart++) {
      const ops = 4 + Math.floor(rng() * 7);
      const killAt = Math.floor(rng() * ops);
      let inFlight: { kind: "create" | "delete"; id: string; n: number } | undefined;
      for (let i = 0; i <= killAt; i++) {
        const running = [...known].filter(([, k]) => k.state === "running").map(([id]) => id);
        const roll = rng();
        let op: { kind: "create" | "delete"; id: string; n: number; request: Promise<{ status: number; body: Json }> };
        if (roll < 0.25 && running.length > 0) {
          const id = pick(rng, running);
          op = { kind: "delete", id, n: (known.get(id) as Known).n, request: handled(requestJson("DELETE", `${base}/v1/workloads/${id}`, undefined, 20_000)) };
        } else if (roll < 0.35 && running.length > 0 && i < killAt) {
          // Behind the agent's back: its tree's root dies; the agent must list it as exited.
          const id = pick(rng, running);
          const k = known.get(id) as Known;
          process.kill(k.pid as number, "SIGKILL");
          k.state = "killed";
          continue;
        } else {
          const reuse = deleted.size > 0 && rng() < 0.4;
          const id = reuse ? pick(rng, [...deleted.keys()]) : `w${serial}`;
          const c = create(id);
          op = { kind: "create", id, n: c.n, request: c.request };
        }
        if (i === killAt) {
          await sleep(Math.floor(rng() * 80));
          process.kill((agent as TrackedChild).pid, "SIGKILL");
          await (agent as TrackedChild).exited;
        }
        const answer = await op.request.catch(() => undefined);
        if (!answer) {
          inFlight = op;
          continue;
        }
        if (op.kind === "create") {
          if (answer.status !== 201) throw new Error(`create ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          ackCreate(op.id, op.n, answer.body);
        } else {
          if (answer.status !== 204) throw new Error(`delete ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          known.delete(op.id);
          deleted.set(op.id, op.n);
          acked++;
        }
      }

      await startAgent();
      const listed = await list();
      // The request cut short: wholly or not at all.
      if (inFlight) {
        const w = listed.get(inFlight.id);
        cutShort.push(`${inFlight.kind} ${w ? `kept (${w.state})` : "not kept"}`);
        const procs = pidsRunning(argvOf(inFlight.n));
        if (inFlight.kind === "create") {
          if (w && w.state === "running") ackCreate(inFlight.id, inFlight.n, w);
          else if (w) lost.push(`restart ${restart}: the create of ${inFlight.id} in flight is listed ${w.state}`);
          else if (procs.length > 0) lost.push(`restart ${restart}: the create of ${inFlight.id} in flight left ${procs.length} process(es) nobody manages`);
        } else if (!w) {
          if (procs.length > 0) lost.push(`restart ${restart}: ${inFlight.id}, deleted in flight, is gone from the list but still runs`);
          known.delete(inFlight.id);
          deleted.set(inFlight.id, inFlight.n);
        } else if (w.state === "exited") {
          // Its tree was removed before the deletion was written: listed as ended, and deleting it now finishes the job.
          expect((await requestJson("DELETE", `${base}/v1/workloads/${inFlight.id}`)).status).toBe(204);
          listed.delete(inFlight.id);
          known.delete(inFlight.id);
          deleted.set(inFlight.id, inFlight.n);
        }
      }
      for (const [id, k] of known) {
        const w = listed.get(id);
        if (!w) {
          lost.push(`restart ${restart}: ${id} (acknowledged) not listed`);
          continue;
        }
        if (k.state === "killed") {
          if (w.state !== "exited" || !w.exit) lost.push(`restart ${restart}: ${id}, killed behind the agent's back, listed ${w.state}`);
          continue;
        }
        const procs = pidsRunning(argvOf(k.n));
        if (w.state !== "running") lost.push(`restart ${restart}: ${id} listed ${w.state} (${JSON.stringify(w.exit)})`);
        if (w.pid !== k.pid || w.cgroup !== k.cgroup) lost.push(`restart ${restart}: ${id} is PID ${w.pid} in ${w.cgroup}, acknowledged as PID ${k.pid} in ${k.cgroup}`);
        if (procs.length !== 1) lost.push(`restart ${restart}: ${id} runs ${procs.length} times`);
        else if (cgroupOfPid(procs[0] as number) !== k.cgroup) lost.push(`restart ${restart}: ${id}'s process is in ${cgroupOfPid(procs[0] as number)}, not ${k.cgroup}`);
        const busy = busyGroupsOf(NODE, id);
        if (busy.length !== 1 || busy[0] !== k.cgroup) lost.push(`restart ${restart}: ${id} has processes in groups ${JSON.stringify(busy)}`);
      }
      for (const [id, n] of deleted) {
        if (listed.has(id)) lost.push(`restart ${restart}: ${id}, deleted, is listed again`);
        if (pidsRunning(argvOf(n)).length > 0) lost.push(`restart ${restart}: ${id}, deleted, still runs`);
      }
      for (const id of listed.keys()) if (!known.has(id)) lost.push(`restart ${restart}: ${id} listed, never acknowledged`);
      // Exited ones are cleared (DELETE) so their ids may be reused.
      for (const [id, k] of [...known]) {
        if (k.state !== "killed") continue;
        expect((await requestJson("DELETE", `${base}/v1/workloads/${id}`)).status).toBe(204);
        known.delete(id);
        deleted.set(id, k.n);
      }
    }

    // Nothing of ours runs that the agent does not list.
    const running = everyN.filter((n) => pidsRunning(argvOf(n)).length > 0);
    const managed = [...known.values()].filter((k) => k.state === "running").map((k) => k.n);
    if (JSON.stringify(running.sort()) !== JSON.stringify(managed.sort())) lost.push(`running ${JSON.stringify(running)}, managed ${JSON.stringify(managed)}`);

    console.log(
      `agent SIGKILL (seed ${SEED}): restarts survived ${RESTARTS}, acknowledged operations checked ${acked} ` +
        `(${managed.length} workloads running at the end, ${reusedIds} creates with a reused id), ` +
        `cut short mid-request ${cutShort.length} [${cutShort.join(", ")}], lost ${lost.length}`,
    );
    expect(lost).toEqual([]);
    expect(acked).toBeGreaterThan(RESTARTS);
    expect(reusedIds).toBeGreaterThan(0);
  }, 300_000);

  it("a restart removes the migration folders the killed process left (a CRIU mount inside detached first), and nothing else", async () => {
    process.kill(agent!.pid, "SIGKILL");
    await agent!.exited;
    // What a destination killed mid-restore leaves: the migration in, with CRIU's cgroup yard still mounted;
    // and a migration out that is over (the journal no longer records it). Plus a folder that is not ours to judge.
    const incoming = path.join(WORK, "in-m-0badc0de");
    const yard = path.join(incoming, ".criu.cgyard.fmdur");
    mkdirSync(yard, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "fmdur-yard", yard]);
    writeFileSync(path.join(yard, "pages"), "x");
    mkdirSync(path.join(WORK, "m-0badc0de"), { recursive: true });
    mkdirSync(path.join(WORK, "not-a-migration"), { recursive: true });
    try {
      await startAgent();
      expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(incoming);
      expect(existsSync(incoming)).toBe(false);
      expect(existsSync(path.join(WORK, "m-0badc0de"))).toBe(false);
      expect(existsSync(path.join(WORK, "not-a-migration"))).toBe(true);
      expect(agent!.stderr() + agent!.stdout()).toMatch(/removed in-m-0badc0de/);
    } finally {
      if (readFileSync("/proc/self/mountinfo", "utf8").includes(yard)) execFileSync("umount", ["-l", yard]);
      rmSync(path.join(WORK, "not-a-migration"), { recursive: true, force: true });
    }
  }, 60_000);
});
