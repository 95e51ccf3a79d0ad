// The group scenario: a three-member service (db first, then api and web)
// placed at the edge and moved edge→cloud as one request through the
// scheduler's group API (POST /v1/groups/:name/migrations), each member's
// outcome, downtime and where it runs afterwards recorded with the group's.
import type { GroupMigrationRecord } from "../../api-types/scheduler.js";
import { waitFor } from "../../wait.js";
import type { RunningTestbed } from "../testbed.js";
import type { GroupResult, Measurements } from "./measurements.js";
import { copiesOf, migrationRecord } from "./moves.js";
import type { Scenario } from "./types.js";

export const GROUP_NAME = "shop";
/** The members: db alone first (order 0), then api and web (order 1). */
export const GROUP_MEMBERS = [
  { member: "db", order: 0 },
  { member: "api", order: 1 },
  { member: "web", order: 1 },
] as const;

export async function group(s: Scenario, tb: RunningTestbed, m: Measurements, policy: string, runStart: number, log: (line: string) => void): Promise<void> {
  const scheduler = tb.loop.scheduler;
  const cloud = tb.plan.hosts.find((h) => h.tier === "cloud")!.node;
  const tierOf = (node: string) => tb.plan.hosts.find((h) => h.node === node)?.tier;
  const tasks = GROUP_MEMBERS.map((x) => `${GROUP_NAME}-${x.member}`);
  const out: GroupResult[] = (m.groups ??= []);
  const strategy = s.strategy;
  if (strategy === "docker") throw new Error("group: members are the scheduler's tasks, which Docker's strategy cannot move (validate.ts refuses it)");
  try {
    for (const [i, x] of GROUP_MEMBERS.entries()) {
      const id = tasks[i]!;
      const outcome = await scheduler.submitTask(
        { id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 400, group: { name: GROUP_NAME, member: x.member, order: x.order, replica: 0 } },
        { timeoutMs: 90_000 },
      );
      if (outcome.outcome !== "placed") throw new Error(`group: member ${id} refused: ${outcome.refused.reason}`);
      log(`group: ${id} placed on ${outcome.placed.node}`);
      if (tierOf(outcome.placed.node) !== "edge") m.notes.push(`group: ${id} was placed on ${outcome.placed.node}, not at the edge (policy ${policy})`);
    }
    const started = await scheduler.migrateGroup(GROUP_NAME, { to: cloud, strategy });
    const r: GroupMigrationRecord = await waitFor(
      async () => {
        const x = await scheduler.groupMigration(GROUP_NAME, started.id);
        return x.finishedAt !== null ? x : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 250, what: `group ${GROUP_NAME}'s migration to its outcome` },
    );
    for (const mem of r.members) {
      for (const id of [mem.migration, mem.backMigration]) if (id) m.migrations.push(migrationRecord(await scheduler.migration(id), runStart, policy));
    }
    const result: GroupResult = {
      group: r.group,
      id: r.id,
      to: r.to,
      strategy: r.strategy,
      state: r.state,
      totalMs: r.totalMs,
      rounds: r.rounds.map((x) => ({ round: x.round, parallelism: x.parallelism, tasks: x.tasks, reason: x.reason })),
      members: [],
      ...(r.error ? { error: r.error } : {}),
    };
    for (const mem of r.members) {
      result.members.push({
        task: mem.task,
        member: mem.member,
        order: mem.order,
        from: mem.from,
        runsOn: mem.runsOn,
        copies: await copiesOf(tb, mem.task),
        phase: mem.phase,
        state: mem.state,
        migration: mem.migration,
        downtimeMs: mem.downtimeMs,
        ...(mem.error ? { error: mem.error } : {}),
      });
    }
    out.push(result);
    log(`group ${GROUP_NAME}: ${r.state} in ${r.totalMs} ms; ${result.members.map((x) => `${x.task} ${x.from}→${x.runsOn} ${x.phase} (${x.state}) downtime ${x.downtimeMs} ms`).join("; ")}`);
  } finally {
    for (const id of tasks) await scheduler.releaseTask(id, { timeoutMs: 60_000 }).catch(() => undefined);
  }
}
