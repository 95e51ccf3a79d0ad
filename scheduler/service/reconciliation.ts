// The shell of reconcile.ts: each report of an agent's node is compared with
// the tasks the scheduler placed there (events reconcile.missing,
// reconcile.unknown, reconcile.resolved), and GET /v1/reconciliation shows
// what is flagged now. A task view carries `missing` too.
import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "./context.js";
import type { Discrepancy, ReportedWorkload } from "./reconcile.js";

/** Compares one report of `node` with the store's view of it; emits what changed. */
export function reconcileReport(ctx: ServiceContext, node: string, report: Record<string, unknown>, at: string): void {
  const spec = ctx.policy.nodes().find((n) => n.name === node);
  // Only agents report what runs; a node without one runs nothing of ours.
  if (!spec?.endpoint || !Array.isArray(report.workloads)) return;
  const workloads: ReportedWorkload[] = [];
  for (const w of report.workloads as unknown[]) {
    const { id, state } = (w ?? {}) as { id?: unknown; state?: unknown };
    if (typeof id === "string") workloads.push({ id, ...(typeof state === "string" ? { state } : {}) });
  }
  const expected = new Map<string, string>();
  for (const p of ctx.policy.placements()) {
    if (p.node !== node) continue;
    const b = ctx.runtime.binding(p.request.id);
    if (b) expected.set(b.workloadId, p.request.id);
  }
  const changes = ctx.reconciler.report({ node, expected, moving: movingAt(ctx, node) }, workloads, at);
  for (const d of changes.flagged) ctx.events.emit(flagEvent(d));
  for (const d of changes.resolved) ctx.events.emit({ type: "reconcile.resolved", ...d });
}

/** Tasks whose move is in flight from or to `node`. */
function movingAt(ctx: ServiceContext, node: string): Set<string> {
  const inFlight = ctx.executor.inFlight?.();
  const moving = new Set<string>();
  for (const r of ctx.executor.records()) {
    const live = inFlight ? inFlight.has(r.task.id) : r.status === "requested" || r.status === "running";
    if (live && (r.from === node || r.to === node)) moving.add(r.task.id);
  }
  for (const p of ctx.policy.placements()) if (p.node === node && ctx.durable.isMoving(p.request.id)) moving.add(p.request.id);
  return moving;
}

function flagEvent(d: Discrepancy) {
  return d.kind === "missing"
    ? ({ type: "reconcile.missing", node: d.node, task: d.task, workload: d.workload, since: d.since } as const)
    : ({ type: "reconcile.unknown", node: d.node, workload: d.workload, since: d.since } as const);
}

/** What is flagged now, leaving out tasks released or moved since. */
export function currentDiscrepancies(ctx: ServiceContext): Discrepancy[] {
  const placed = new Map(ctx.policy.placements().map((p) => [p.request.id, p.node]));
  return ctx.reconciler.all().filter((d) => d.kind === "unknown" || placed.get(d.task) === d.node);
}

const discrepancySchema = {
  type: "object",
  required: ["kind", "node", "workload", "since"],
  properties: {
    kind: { type: "string", enum: ["missing", "unknown"] },
    node: { type: "string" },
    task: { type: "string", description: "missing: the task the store says runs there" },
    workload: { type: "string" },
    since: { type: "string", format: "date-time", description: "The first report that showed it" },
  },
} as const;

export function reconciliationPlugin(ctx: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/reconciliation",
      {
        schema: {
          tags: ["nodes"],
          summary: "Workloads the store and the agents disagree on: missing (placed, not reported) and unknown (reported, not placed)",
          response: {
            200: {
              type: "object",
              required: ["missing", "unknown"],
              properties: { missing: { type: "array", items: discrepancySchema }, unknown: { type: "array", items: discrepancySchema } },
            },
          },
        },
      },
      async () => {
        const all = currentDiscrepancies(ctx);
        return { missing: all.filter((d) => d.kind === "missing"), unknown: all.filter((d) => d.kind === "unknown") };
      },
    );
  };
}
