// `fleximigrate service-groups`: the scheduler's service groups (tasks placed
// with a group) and where each member runs; `service-groups migrate NAME --to
// NODE` moves one as one request (with --wait, following it to its outcome,
// progress on stderr); `service-groups show NAME [ID]` shows a group's
// migrations, or one: each member's state beside its move's, the rounds with
// their parallelism and why, the outcome. (`fleximigrate groups` is the
// controller's OpenFlow groups.)
import type { GroupMigrationRecord, GroupView } from "../../src/api-types/scheduler.js";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { schedulerAt } from "../../src/cli/service-clients.js";
import { DEFAULT_SCHEDULER_URL } from "./migrations.js";

export function renderGroups(list: GroupView[]): string {
  if (list.length === 0) return "(no service groups)\n";
  return formatTable(
    ["GROUP", "MEMBER", "REPLICA", "ORDER", "TASK", "NODE"],
    list.flatMap((g) => g.members.map((m) => [g.name, m.member, m.replica, m.order, m.task, m.node])),
  );
}

export function renderGroupMigrations(list: GroupMigrationRecord[]): string {
  if (list.length === 0) return "(no migrations of this group)\n";
  return formatTable(
    ["ID", "GROUP", "TO", "STATE", "MEMBERS", "ROUNDS", "TOTAL MS", "ERROR"],
    list.map((g) => [g.id, g.group, g.to, g.state, g.members.length, g.rounds.length, g.totalMs === null ? "-" : g.totalMs, g.error ?? ""]),
  );
}

export function renderGroupMigration(g: GroupMigrationRecord): string {
  const lines = [
    `${g.id}: group ${g.group} -> ${g.to} (onFailure ${g.onFailure}, strategy ${g.strategy})`,
    `state ${g.state}${g.totalMs === null ? "" : `, total ${g.totalMs} ms`}`,
  ];
  if (g.error) lines.push(`error: ${g.error}`);
  lines.push("", "Members");
  lines.push(
    formatTable(
      ["TASK", "MEMBER", "REPLICA", "ORDER", "FROM", "RUNS ON", "STATE", "MOVE STATE", "MIGRATION", "BACK", "DOWNTIME MS"],
      g.members.map((m) => [
        m.task,
        m.member,
        m.replica,
        m.order,
        m.from,
        m.runsOn,
        m.phase,
        m.state ?? "-",
        m.migration ?? "-",
        m.backMigration ? `${m.backMigration} ${m.backState ?? ""}`.trim() : "-",
        m.downtimeMs === null ? "-" : Math.round(m.downtimeMs),
      ]),
    ).trimEnd(),
  );
  lines.push("", "Rounds");
  lines.push(
    g.rounds.length
      ? formatTable(
          ["ROUND", "PARALLELISM", "TASKS", "MBIT/S", "REASON"],
          g.rounds.map((r) => [r.round, r.parallelism, r.tasks.join(","), r.transfers.map((t) => t.mbps).join(",") || "-", r.reason]),
        ).trimEnd()
      : "(none)",
  );
  if (g.log.length) lines.push("", "Log", ...g.log);
  return `${lines.join("\n")}\n`;
}

const USAGE = "usage: fleximigrate service-groups [migrate NAME --to NODE | show NAME [ID]] [--scheduler URL] [--json]";

export const command = defineCommand({
  name: "service-groups",
  synopsis: ["", "migrate NAME --to NODE [--on-failure rollback|leave] [--strategy S] [--wait]", "show NAME [ID]"],
  positionals: { max: 3 },
  description:
    "Lists the scheduler's service groups (tasks placed with a group) and where each member runs; moves a group to one node as one request " +
    "(the destination is checked for every member first; one managed migration per member, in start order, one replica at a time, " +
    "as many at once as the measured bandwidth allows); or shows a group's migrations, or one with each member's state, the rounds and the outcome.",
  flags: {
    scheduler: flag.urls("the scheduler's base URL (several, comma-separated: the replicas; the leader is followed)", { default: DEFAULT_SCHEDULER_URL }),
    to: flag.string("NODE", "migrate: the destination node"),
    "on-failure": flag.choice(["rollback", "leave"], "migrate: when a member fails, move the moved ones back, or leave them", { default: "rollback" }),
    strategy: flag.choice(["auto", "stopcopy", "precopy", "postcopy"], "migrate: each member's strategy", { default: "auto" }),
    wait: flag.boolean("migrate: follow the migration to its outcome (progress on stderr); exit 1 unless completed"),
    json: flag.boolean("machine-readable output"),
  },
  epilog: "Exit status: 0 on success; 1 when --wait saw an outcome other than completed; 2 on bad usage.",
  async run(p) {
    const client = schedulerAt(p.values.scheduler);
    const [verb, name, id] = p.positionals;
    const out = (value: unknown, text: string) => (p.values.json ? printJson(value) : process.stdout.write(text));
    if (verb === undefined) {
      const list = await client.groups();
      out(list, renderGroups(list));
      return 0;
    }
    if (verb === "show" && name !== undefined) {
      if (id === undefined) {
        const list = await client.groupMigrations(name);
        out(list, renderGroupMigrations(list));
      } else {
        const g = await client.groupMigration(name, id);
        out(g, renderGroupMigration(g));
      }
      return 0;
    }
    if (verb === "migrate" && name !== undefined && id === undefined) {
      if (!p.values.to) throw new CliError(`migrate needs --to NODE\n${USAGE}`);
      let g = await client.migrateGroup(name, { to: p.values.to, onFailure: p.values["on-failure"], strategy: p.values.strategy });
      if (p.values.wait) {
        let seen = "";
        while (g.finishedAt === null) {
          const line = g.members.map((m) => `${m.task} ${m.phase}`).join(", ");
          if (line !== seen) process.stderr.write(`${g.id} ${g.state}: ${(seen = line)}\n`);
          await new Promise((r) => setTimeout(r, 250));
          g = await client.groupMigration(name, g.id);
        }
      }
      out(g, renderGroupMigration(g));
      return p.values.wait && g.state !== "completed" ? 1 : 0;
    }
    throw new CliError(USAGE);
  },
});
