// `fleximigrate migrations`: the scheduler's moves as a table, and
// `fleximigrate migrations show ID`: one move's timeline, log and metrics.
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { schedulerAt } from "../../src/cli/service-clients.js";

export const DEFAULT_SCHEDULER_URL = "http://127.0.0.1:8088";

export function renderMigrations(list: MoveRecord[]): string {
  if (list.length === 0) return "(no migrations)\n";
  return formatTable(
    ["ID", "TASK", "FROM", "TO", "STATE", "STRATEGY", "TOTAL MS", "FROZEN MS", "ERROR"],
    list.map((m) => [
      m.id,
      m.task.id,
      m.from,
      m.to,
      m.state ?? m.status,
      m.strategy ?? "",
      ms(m.metrics?.totalMs),
      ms(m.metrics?.frozenMs),
      m.error ?? "",
    ]),
  );
}

export function renderMigration(m: MoveRecord): string {
  const lines = [
    `${m.id}: task ${m.task.id} ${m.from} -> ${m.to} (${m.cpuShare} cores)`,
    `state ${m.state ?? m.status}${m.strategy ? `, strategy ${m.strategy}` : ""}${m.reason ? ` (${m.reason})` : ""}`,
  ];
  if (m.error) lines.push(`error: ${m.error}`);
  if (m.policy) lines.push(`policy: ${m.policy.reason}`);
  lines.push("", "Timeline");
  const start = Date.parse(m.requestedAt);
  lines.push(
    (m.timeline ?? []).length
      ? formatTable(
          ["+MS", "STATE", "COMPONENT", "MESSAGE"],
          (m.timeline ?? []).map((e) => [Date.parse(e.at) - start, e.state, e.component, e.message]),
        ).trimEnd()
      : "(none: this move was only recorded)",
  );
  if (m.metrics) {
    lines.push("", "Metrics");
    lines.push(formatTable(["METRIC", "VALUE"], Object.entries(m.metrics).map(([k, v]) => [k, v === null ? "-" : String(v)])).trimEnd());
  }
  if (m.log?.length) lines.push("", "Log", ...m.log);
  return `${lines.join("\n")}\n`;
}

function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? "-" : String(Math.round(v));
}

export const command = defineCommand({
  name: "migrations",
  synopsis: ["", "show ID"],
  positionals: { max: 2 },
  description: "Lists the scheduler's migrations (state, strategy, times), or shows one with its timeline, log and metrics.",
  flags: {
    scheduler: flag.urls("the scheduler's base URL (several, comma-separated: the replicas; the leader is followed)", { default: DEFAULT_SCHEDULER_URL }),
    json: flag.boolean("machine-readable output"),
  },
  async run(p) {
    const client = schedulerAt(p.values.scheduler);
    const [verb, id] = p.positionals;
    if (verb === undefined) {
      const list = await client.migrations();
      if (p.values.json) printJson(list);
      else process.stdout.write(renderMigrations(list));
      return 0;
    }
    if (verb !== "show" || id === undefined) throw new CliError("usage: fleximigrate migrations [show ID] [--scheduler URL] [--json]");
    const m = await client.migration(id);
    if (p.values.json) printJson(m);
    else process.stdout.write(renderMigration(m));
    return 0;
  },
});
