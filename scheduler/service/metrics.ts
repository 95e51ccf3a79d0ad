// The scheduler's metrics (GET /metrics): placement decisions by rule and
// policy, refusals by reason code, migrations by final state and strategy,
// and the downtime and network reconfiguration time of finished moves. The
// placement engine and the migration manager know nothing of them: the
// service counts where a decision is answered and where a move ends.
import { Counter, Histogram, type Registry } from "prom-client";
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import { METRIC_PREFIX, seconds, serviceRegistry } from "../../src/metrics/registry.js";
import type { RefusalCode } from "../placement/types.js";

export const SCHEDULER_METRICS = {
  decisions: `${METRIC_PREFIX}scheduler_decisions_total`,
  refusals: `${METRIC_PREFIX}scheduler_refusals_total`,
  migrations: `${METRIC_PREFIX}migrations_total`,
  downtime: `${METRIC_PREFIX}migration_downtime_seconds`,
  reconfiguration: `${METRIC_PREFIX}migration_reconfiguration_seconds`,
} as const;

/** Refusals the service itself answers, beside the policy's own codes. */
export type ServiceRefusal = "duplicate_id" | "start_failed";

/** Downtime: a few ms (post-copy) to tens of seconds (a large stop-and-copy). */
const DOWNTIME_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Reconfiguration: one FLOW_MOD batch and its barrier, to a gradual shift over seconds. */
const RECONFIGURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export class SchedulerMetrics {
  readonly registry: Registry;
  private readonly decisions: Counter<"case" | "policy">;
  private readonly refusals: Counter<"reason" | "policy">;
  private readonly migrations: Counter<"state" | "strategy">;
  private readonly downtime: Histogram<"strategy">;
  private readonly reconfiguration: Histogram<"strategy">;

  constructor(registry: Registry = serviceRegistry()) {
    this.registry = registry;
    const registers = [registry];
    this.decisions = new Counter({ name: SCHEDULER_METRICS.decisions, help: "Tasks placed, by placement rule (1 edge fits, 2 cloud, 3 edge after moves) and policy", labelNames: ["case", "policy"], registers });
    this.refusals = new Counter({ name: SCHEDULER_METRICS.refusals, help: "Tasks refused, by reason code and policy", labelNames: ["reason", "policy"], registers });
    this.migrations = new Counter({ name: SCHEDULER_METRICS.migrations, help: "Migrations that reached a final state, by state and strategy", labelNames: ["state", "strategy"], registers });
    this.downtime = new Histogram({ name: SCHEDULER_METRICS.downtime, help: "Completed migrations' downtime (frozen on the source until running on the destination), seconds", labelNames: ["strategy"], buckets: DOWNTIME_BUCKETS, registers });
    this.reconfiguration = new Histogram({
      name: SCHEDULER_METRICS.reconfiguration,
      help: "Completed migrations' network reconfiguration time (redirect request until every switch confirmed), seconds",
      labelNames: ["strategy"],
      buckets: RECONFIGURATION_BUCKETS,
      registers,
    });
  }

  placed(rule: 1 | 2 | 3 | undefined, policy: string): void {
    this.decisions.inc({ case: rule === undefined ? "none" : String(rule), policy });
  }

  refused(reason: RefusalCode | ServiceRefusal, policy: string): void {
    this.refusals.inc({ reason, policy });
  }

  /** A move reached its final state: counted, and a completed one's times observed. */
  finished(move: MoveRecord): void {
    const state = move.state ?? move.status;
    const strategy = move.strategy ?? "none";
    this.migrations.inc({ state, strategy });
    if (state !== "COMPLETED") return;
    const frozen = move.metrics?.frozenMs;
    if (typeof frozen === "number") this.downtime.observe({ strategy }, seconds(frozen));
    const reconfiguration = move.metrics?.networkReconfigurationMs;
    if (typeof reconfiguration === "number") this.reconfiguration.observe({ strategy }, seconds(reconfiguration));
  }
}
