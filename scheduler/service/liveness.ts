// Nodes that stop reporting: an agent's node that reported once and then
// sent nothing for --report-timeout has its tasks marked unavailable (and
// announced), not silently kept as if they served. A new report clears it.
import type { ServiceContext } from "./context.js";

export const DEFAULT_REPORT_TIMEOUT_MS = 15_000;

export class Liveness {
  private readonly silent = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    readonly timeoutMs: number = DEFAULT_REPORT_TIMEOUT_MS,
  ) {}

  /** Checks every min(1 s, timeout/3). */
  start(): void {
    this.timer = setInterval(() => this.check(), Math.max(10, Math.min(1_000, this.timeoutMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  isSilent(node: string): boolean {
    return this.silent.has(node);
  }

  /** Marks nodes silent or back; emits task.unavailable / task.available for their tasks. */
  check(): void {
    const now = this.ctx.now().getTime();
    const nodes = this.ctx.policy.nodes();
    const changed = new Map<string, boolean>();
    for (const n of nodes) {
      const report = this.ctx.reports.get(n.name);
      const stale = n.endpoint !== undefined && report !== undefined && now - Date.parse(report.receivedAt) > this.timeoutMs;
      if (stale !== this.silent.has(n.name)) {
        if (stale) this.silent.add(n.name);
        else this.silent.delete(n.name);
        changed.set(n.name, stale);
      }
    }
    for (const name of this.silent) if (!nodes.some((n) => n.name === name)) this.silent.delete(name);
    if (changed.size === 0) return;
    for (const p of this.ctx.policy.placements()) {
      const stale = changed.get(p.node);
      if (stale === undefined) continue;
      const lastReportAt = this.ctx.reports.get(p.node)?.receivedAt ?? null;
      this.ctx.events.emit(stale ? { type: "task.unavailable", task: p.request.id, node: p.node, lastReportAt } : { type: "task.available", task: p.request.id, node: p.node });
    }
  }
}
