// The agent's metrics (GET /metrics): pages its post-copy page server sent on
// a fault or by the background fetch, image bytes sent to destinations by
// phase, and its outgoing migrations by outcome. The page server and the
// strategies count through plain callbacks (MigrationContext.countPages,
// countBytes); this file is where they meet prom-client. The per-reply path
// only increments a child bound here once, never builds a label set.
import { Counter, type Registry } from "prom-client";
import { METRIC_PREFIX, serviceRegistry } from "../../src/metrics/registry.js";
import type { TransferPhase } from "../migration/strategy.js";

export const AGENT_METRICS = {
  pages: `${METRIC_PREFIX}agent_postcopy_pages_total`,
  transferBytes: `${METRIC_PREFIX}agent_transfer_bytes_total`,
  migrations: `${METRIC_PREFIX}agent_migrations_total`,
} as const;

type Child = { inc(n?: number): void };

export class AgentMetrics {
  readonly registry: Registry;
  private readonly pages: Record<"fault" | "push", Child>;
  private readonly bytes: Record<TransferPhase, Child>;
  private readonly migrations: Counter<"outcome" | "strategy">;

  constructor(registry: Registry = serviceRegistry()) {
    this.registry = registry;
    const registers = [registry];
    const pages = new Counter({ name: AGENT_METRICS.pages, help: "Pages the post-copy page server sent, on a fault or fetched in the background", labelNames: ["served"], registers });
    this.pages = { fault: pages.labels("fault"), push: pages.labels("fetched") };
    const bytes = new Counter({ name: AGENT_METRICS.transferBytes, help: "Bytes sent to destination agents (images, pages), by phase: before or after the workload resumed there", labelNames: ["phase"], registers });
    this.bytes = { "before-resume": bytes.labels("before-resume"), "after-resume": bytes.labels("after-resume") };
    this.migrations = new Counter({ name: AGENT_METRICS.migrations, help: "Outgoing migrations that ended, by outcome and strategy", labelNames: ["outcome", "strategy"], registers });
  }

  pagesServed(kind: "fault" | "push", pages: number): void {
    this.pages[kind].inc(pages);
  }

  bytesSent(phase: TransferPhase, bytes: number): void {
    if (bytes > 0) this.bytes[phase].inc(bytes);
  }

  migrationEnded(outcome: "succeeded" | "failed", strategy: string): void {
    this.migrations.inc({ outcome, strategy });
  }
}
