// An operator's move of one placed task (POST /v1/migrations, and each member
// move of a group migration): the placement holds the share on `to` first
// and the task is kept marked moving before the move is recorded; then the
// migration manager runs it. Every refusal is an ApiError and changes nothing.
import type { MoveFaults, MoveStrategy } from "../../src/api-types/scheduler.js";
import { ApiError } from "../../src/http/api-error.js";
import type { MigrationRecord } from "../executor/executor.js";
import type { ServiceContext } from "./context.js";

export interface OperatorMove {
  task: string;
  to: string;
  strategy?: MoveStrategy;
  faults?: MoveFaults;
}

export async function requestOperatorMove(ctx: ServiceContext, input: OperatorMove): Promise<MigrationRecord> {
  const { task: taskId, to, strategy, faults } = input;
  const endpointOf = (node: string) => ctx.policy.nodes().find((n) => n.name === node)?.endpoint;
  if (faults && !ctx.allowFaults) throw ApiError.badRequest("faults are accepted only by a scheduler started with --allow-faults");
  const placement = ctx.policy.placements().find((p) => p.request.id === taskId);
  if (!placement) throw ApiError.notFound(`no task '${taskId}'`);
  if (ctx.executor.inFlight?.().has(taskId)) throw ApiError.conflict(`task '${taskId}' is already migrating`);
  const fromEndpoint = endpointOf(placement.node);
  const toEndpoint = endpointOf(to);
  if (!ctx.policy.nodes().some((n) => n.name === to)) throw ApiError.notFound(`no node '${to}'`);
  if (!fromEndpoint || !toEndpoint) throw ApiError.conflict(`both nodes need an agent to move a workload (${!fromEndpoint ? placement.node : to} has none)`);
  const moved = ctx.policy.moveTo(taskId, to);
  if (!moved.ok) throw ApiError.conflict(`cannot move '${taskId}' to ${to}: ${moved.reason}`, { reason: moved.reason });
  // Kept (and marked moving) before the move is recorded; a write failure puts the task back.
  ctx.durable.setMoving(taskId, { from: moved.from, to });
  try {
    await ctx.durable.commit([ctx.durable.task(taskId)]);
  } catch (err) {
    ctx.durable.setMoving(taskId, undefined);
    ctx.policy.relocate(taskId, moved.from);
    throw err;
  }
  const service = ctx.runtime.binding(taskId);
  const record = await ctx.executor.request({
    request: taskId,
    from: moved.from,
    to,
    cpuShare: moved.cpuShare,
    task: placement.request,
    fromEndpoint,
    toEndpoint,
    ...(service ? { service } : {}),
    ...(strategy && strategy !== "auto" ? { strategy } : {}),
    ...(faults ? { faults } : {}),
  });
  ctx.events.emit({ type: "migration-requested", migration: record });
  return record;
}
