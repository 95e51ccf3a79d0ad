// Service groups: tasks placed with a `group` (POST /v1/tasks) make one.
// GET /v1/groups lists them; POST /v1/groups/:name/migrations moves a group
// to one node as one request (destination checked for every member first,
// then one manager migration per member, in balanced rounds); GET
// /v1/groups/:name/migrations[/:id] show the runs: each member's state
// beside its move's, where each runs, the rounds and the outcome.
import type { FastifyPluginAsync } from "fastify";
import type { GroupMigrationRecord, GroupMoveInput, GroupView } from "../../src/api-types/scheduler.js";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import type { MigrationLimits } from "../migration/context.js";
import { membershipProblems } from "../migration/group/members.js";
import { GroupMigrationRun } from "../migration/group/runner.js";
import type { ProberPort } from "../migration/ports.js";
import { isFinal } from "../migration/states.js";
import type { ServiceContext } from "./context.js";
import { destinationProblems, groupMembers } from "./group-check.js";
import { groupMigrationSchema, groupViewSchema } from "./group-schemas.js";
import { faultsSchema } from "./migrations.js";
import { NAME_PATTERN } from "./nodes.js";
import { requestOperatorMove } from "./operator-move.js";

const groupMoveSchema = {
  type: "object",
  required: ["to"],
  additionalProperties: false,
  properties: {
    to: { type: "string", pattern: NAME_PATTERN },
    onFailure: { type: "string", enum: ["rollback", "leave"], default: "rollback", description: "A member failed: move the moved ones back, or leave them" },
    strategy: { type: "string", enum: ["auto", "stopcopy", "precopy", "postcopy"], default: "auto" },
    faults: {
      type: "object",
      maxProperties: 64,
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: faultsSchema,
      description: "Test faults per member task id; accepted only by a scheduler started with --allow-faults",
    },
  },
} as const;

const nameParams = { type: "object", required: ["name"], properties: { name: { type: "string", pattern: NAME_PATTERN } } } as const;
const runParams = {
  type: "object",
  required: ["name", "id"],
  properties: { name: { type: "string", pattern: NAME_PATTERN }, id: { type: "string", maxLength: 64 } },
} as const;

export interface GroupDeps {
  prober: ProberPort;
  limits: Pick<MigrationLimits, "maxParallel" | "maxOutboundPerNode">;
  onLog?(line: string): void;
  /** How often a member's move is looked at while the group waits for it. */
  pollMs?: number;
}

export function groupsPlugin(ctx: ServiceContext, deps: GroupDeps): FastifyPluginAsync {
  const runs = new Map<string, GroupMigrationRun[]>();
  let seq = 0;
  let closing = false;
  const pollMs = deps.pollMs ?? 100;

  const settled = async (id: string) => {
    for (;;) {
      if (closing) throw new Error("the scheduler is stopping");
      const rec = ctx.executor.record?.(id) ?? ctx.executor.records().find((r) => r.id === id);
      if (!rec) throw new Error(`migration ${id} is not known`);
      if (rec.state ? isFinal(rec.state) : rec.status !== "running" && rec.status !== "requested") return rec;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const ports = {
    move: (task: string, to: string, opts: { strategy: GroupMoveInput["strategy"] & string; faults?: NonNullable<GroupMoveInput["faults"]>[string] }) =>
      requestOperatorMove(ctx, { task, to, strategy: opts.strategy, ...(opts.faults ? { faults: opts.faults } : {}) }),
    record: (id: string) => ctx.executor.record?.(id),
    settled,
    probe: async (task: string) => {
      const b = ctx.runtime.binding(task);
      if (!b) return { ok: false, detail: `task ${task} has no service address` };
      return deps.prober.probe({ ip: b.ip, port: b.port, path: b.probePath });
    },
    runsOn: (task: string) => ctx.policy.placements().find((p) => p.request.id === task)?.node,
    limits: deps.limits,
    now: ctx.now,
    ...(deps.onLog ? { onLog: deps.onLog } : {}),
    onProgress: (g: GroupMigrationRecord) =>
      ctx.events.emit({
        type: "group.migration",
        id: g.id,
        group: g.group,
        to: g.to,
        state: g.state,
        round: g.rounds.length,
        parallelism: g.rounds.at(-1)?.parallelism ?? null,
        members: g.members.map((m) => ({ task: m.task, phase: m.phase, runsOn: m.runsOn })),
      }),
  };
  const runOf = (name: string, id: string): GroupMigrationRun => {
    const run = runs.get(name)?.find((r) => r.view().id === id);
    if (!run) throw ApiError.notFound(`no migration '${id}' of group '${name}'`);
    return run;
  };

  return async (app) => {
    app.addHook("onClose", async () => {
      closing = true;
      await Promise.allSettled([...runs.values()].flat().map((r) => r.done));
    });

    app.get("/v1/groups", { schema: { tags: ["groups"], summary: "Service groups: their members and where each runs", response: { 200: { type: "array", items: groupViewSchema } } } }, async () => {
      const byName = new Map<string, GroupView>();
      for (const p of ctx.policy.placements()) {
        const g = p.request.group;
        if (!g) continue;
        if (!byName.has(g.name)) byName.set(g.name, { name: g.name, members: [] });
        byName.get(g.name)!.members.push({ task: p.request.id, member: g.member, replica: g.replica, order: g.order, node: p.node });
      }
      return [...byName.values()];
    });

    app.post<{ Params: { name: string }; Body: GroupMoveInput }>(
      "/v1/groups/:name/migrations",
      {
        schema: {
          tags: ["groups"],
          summary: "Move every member of a group to one node as one request (checked first; one managed migration per member, in balanced rounds)",
          params: nameParams,
          body: groupMoveSchema,
          response: { 202: groupMigrationSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
        },
      },
      async (req, reply) => {
        const { name } = req.params;
        const { to, onFailure = "rollback", strategy = "auto", faults } = req.body;
        if (faults && !ctx.allowFaults) throw ApiError.badRequest("faults are accepted only by a scheduler started with --allow-faults");
        const all = groupMembers(ctx, name);
        if (all.length === 0) throw ApiError.notFound(`no group '${name}' (no placed task carries it)`);
        for (const task of Object.keys(faults ?? {})) {
          if (!all.some((m) => m.task === task)) throw ApiError.badRequest(`faults: task '${task}' is not a member of group '${name}'`);
        }
        if (runs.get(name)?.some((r) => r.view().finishedAt === null)) throw ApiError.conflict(`group '${name}' is already migrating`);
        const members = all.filter((m) => m.from !== to);
        if (members.length === 0) throw ApiError.conflict(`every member of group '${name}' already runs on ${to}`);
        const problems = [...membershipProblems(all), ...destinationProblems(ctx, members, to)];
        if (problems.length > 0) {
          throw ApiError.conflict(`group '${name}' cannot move to ${to}: ${problems.join("; ")}`, { reason: problems.join("; "), problems });
        }
        const run = new GroupMigrationRun({ id: `g-${++seq}`, group: name, to, onFailure, strategy, members, ...(faults ? { faults } : {}) }, ports);
        runs.set(name, [...(runs.get(name) ?? []), run]);
        run.done.catch(() => undefined);
        return reply.code(202).send(run.view());
      },
    );

    app.get<{ Params: { name: string } }>(
      "/v1/groups/:name/migrations",
      { schema: { tags: ["groups"], summary: "A group's migrations, oldest first", params: nameParams, response: { 200: { type: "array", items: groupMigrationSchema } } } },
      async (req): Promise<GroupMigrationRecord[]> => (runs.get(req.params.name) ?? []).map((r) => r.view()),
    );

    app.get<{ Params: { name: string; id: string } }>(
      "/v1/groups/:name/migrations/:id",
      {
        schema: {
          tags: ["groups"],
          summary: "One group migration: each member's state beside its move's, where each runs, rounds with their parallelism and why, the outcome",
          params: runParams,
          response: { 200: groupMigrationSchema, 404: errorSchema },
        },
      },
      async (req) => runOf(req.params.name, req.params.id).view(),
    );
  };
}
