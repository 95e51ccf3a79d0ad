// `fleximigrate logs MIGRATION_ID`: one migration's log lines from every
// service, in time order. The scheduler knows the move and its two agents
// (the move's record names their endpoints); the controller is asked at
// --controller. Each service answers GET /v1/logs?migration=ID from its ring
// of recent lines: those it logged under the move's correlation id.
import type { LogLine, LogLines } from "../../src/api-types/logs.js";
import { AgentClient } from "../../src/clients/agent.js";
import { ControllerClient } from "../../src/clients/controller.js";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { printJson } from "../../src/cli/output.js";
import { cliTls, schedulerAt } from "../../src/cli/service-clients.js";
import { ServiceError } from "../../src/http/client-errors.js";
import { isRequestId } from "../../src/http/correlation.js";
import { DEFAULT_SCHEDULER_URL } from "./migrations.js";

export const DEFAULT_CONTROLLER_URL = "http://127.0.0.1:8181";

/** Every service's lines in time order (a stable sort: one service's lines keep their order on a tie). */
export function mergeLogs(answers: LogLines[]): LogLine[] {
  return answers
    .flatMap((a) => a.lines)
    .map((line, i) => ({ line, i, t: Date.parse(line.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.line);
}

/** One text line per log line: time, service, level, message, and the fields that say where it came from. */
export function renderLogs(lines: LogLine[]): string {
  if (lines.length === 0) return "(no lines: the services logged nothing under this id, or it left their rings)\n";
  const width = Math.max(...lines.map((l) => l.service.length));
  const out = lines.map((l) => {
    const extra = l.fields && typeof l.fields.route === "string" ? ` (${l.fields.method ?? ""} ${l.fields.route} ${l.fields.statusCode ?? ""})`.replace(/\s+\)/, ")") : "";
    return `${l.at}  ${l.service.padEnd(width)}  ${l.level.toUpperCase().padEnd(5)}  ${l.msg}${extra}`;
  });
  return `${out.join("\n")}\n`;
}

export const command = defineCommand({
  name: "logs",
  synopsis: ["MIGRATION_ID"],
  positionals: { min: 1, max: 1 },
  description: `Gathers one migration's log lines from the scheduler, both agents and the
controller (each keeps its recent structured lines in memory), in time order.`,
  flags: {
    scheduler: flag.urls("the scheduler's base URL (several, comma-separated: the replicas; the leader is followed)", { default: DEFAULT_SCHEDULER_URL }),
    controller: flag.urls("the controller's base URL, or its replicas' (unreachable: its lines are left out, with a warning)", { default: DEFAULT_CONTROLLER_URL }),
    limit: flag.number("N", "at most N lines from each service (the newest)", { integer: true, min: 1, max: 2000, default: 500 }),
    json: flag.boolean("machine-readable output: the merged lines"),
  },
  async run(p) {
    const id = p.positionals[0]!;
    if (!isRequestId(id)) throw new CliError(`'${id}' is not a migration id (letters, digits, . _ : -, at most 64)`);
    const limit = p.values.limit;
    const scheduler = schedulerAt(p.values.scheduler);
    const move = await scheduler.migration(id);
    const answers: LogLines[] = [await scheduler.logs(id, { limit })];
    // The others are asked for what they have; one that is gone costs its lines, not the command.
    const others: Array<{ name: string; ask: () => Promise<LogLines> }> = [];
    for (const [node, endpoint] of [
      [move.from, move.fromEndpoint],
      [move.to, move.toEndpoint],
    ] as const) {
      if (endpoint) others.push({ name: `agent ${node} (${endpoint})`, ask: () => new AgentClient(endpoint, { node, timeoutMs: 5000, ...cliTls() }).logs(id, { limit }) });
    }
    others.push({ name: `controller (${p.values.controller})`, ask: () => new ControllerClient(p.values.controller, { timeoutMs: 5000, ...cliTls() }).logs(id, { limit }) });
    const results = await Promise.allSettled(others.map((o) => o.ask()));
    results.forEach((r, i) => {
      if (r.status === "fulfilled") answers.push(r.value);
      else process.stderr.write(`logs: ${others[i]!.name}: ${r.reason instanceof ServiceError ? r.reason.message : (r.reason as Error).message}; its lines are left out\n`);
    });
    for (const a of answers) if (a.truncated) process.stderr.write(`logs: ${a.service} had more than ${limit} lines; the oldest are left out (--limit)\n`);
    const lines = mergeLogs(answers);
    if (p.values.json) printJson(lines);
    else process.stdout.write(renderLogs(lines));
    return 0;
  },
});
