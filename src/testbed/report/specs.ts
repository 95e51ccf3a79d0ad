// The report's plots as Vega-Lite specs (pure): from one or more runs'
// measurements to one spec per plot that has data to show.
import type { TopLevelSpec } from "vega-lite";
import type { Measurements } from "../scenario/measurements.js";

export interface PlotSpec {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const WIDTH = 640;
const HEIGHT = 240;

export function plotSpecs(runs: Measurements[]): PlotSpec[] {
  const several = runs.length > 1;
  const label = (m: Measurements) => (several ? `${m.run.id}` : m.scenario.name);
  const plots: PlotSpec[] = [];

  const requests = runs.flatMap((m) => m.requests.filter((q) => q.ok).map((q) => ({ run: label(m), device: q.device, policy: q.policy, t: q.t / 1000, latencyMs: q.latencyMs, budgetMs: q.budgetMs, servedBy: q.servedBy })));
  const moveMarks = runs.flatMap((m) =>
    m.migrations
      .filter((x) => x.state === "COMPLETED" && typeof x.completedT === "number")
      .map((x) => ({ run: label(m), t: x.completedT! / 1000, task: x.task, move: `${x.from}→${x.to}` })),
  );
  if (requests.length > 0) {
    const budgets = [...new Set(requests.map((r) => `${r.run}|${r.budgetMs}`))].map((k) => ({ run: k.split("|")[0], budgetMs: Number(k.split("|")[1]) }));
    plots.push({
      id: "latency",
      title: "Device latency over time against budgets (dashed: budgets; red: migrations completing)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH,
        height: HEIGHT,
        ...(several ? {} : {}),
        layer: [
          { data: { values: requests }, mark: { type: "point", filled: true, size: 12, opacity: 0.6 }, encoding: { x: { field: "t", type: "quantitative", title: "time (s)" }, y: { field: "latencyMs", type: "quantitative", title: "latency (ms)", scale: { type: "log" } }, color: { field: several ? "run" : "device", type: "nominal" } } },
          { data: { values: budgets }, mark: { type: "rule", strokeDash: [4, 4], color: "#555" }, encoding: { y: { field: "budgetMs", type: "quantitative" } } },
          ...(moveMarks.length ? [{ data: { values: moveMarks }, mark: { type: "rule" as const, color: "#d62728" }, encoding: { x: { field: "t", type: "quantitative" as const }, tooltip: [{ field: "task" }, { field: "move" }] } }] : []),
        ],
      } as TopLevelSpec,
    });
  }

  const moves = runs.flatMap((m) =>
    m.migrations
      .filter((x) => x.state === "COMPLETED" && x.metrics)
      .flatMap((x) => {
        const what = `${x.strategy ?? "?"}${x.sizeMiB ? ` ${x.sizeMiB} MiB` : ""}${several ? ` (${label(m)})` : ""}`;
        return [
          { what, measure: "migration time", ms: x.metrics!.totalMs },
          { what, measure: "downtime (frozen)", ms: x.metrics!.frozenMs },
        ].filter((r) => typeof r.ms === "number");
      }),
  );
  if (moves.length > 0)
    plots.push({
      id: "migrations",
      title: "Migration time and downtime per strategy and size (mean of completed moves)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH,
        height: HEIGHT,
        data: { values: moves },
        mark: "bar",
        encoding: { x: { field: "what", type: "nominal", title: "strategy" }, xOffset: { field: "measure" }, y: { aggregate: "mean", field: "ms", type: "quantitative", title: "ms" }, color: { field: "measure", type: "nominal" } },
      } as TopLevelSpec,
    });

  const strategyRows = runs.flatMap((m) =>
    (m.strategies ?? [])
      .filter((x) => x.state === "COMPLETED" || x.state === "succeeded")
      .flatMap((x) => {
        const size = `${x.sizeMiB} MiB${several ? ` (${label(m)})` : ""}`;
        return [
          { size, sizeMiB: x.sizeMiB, strategy: x.strategy, measure: "downtime (frozen)", ms: x.downtimeMs },
          { size, sizeMiB: x.sizeMiB, strategy: x.strategy, measure: "total migration time", ms: x.totalMs },
        ].filter((r) => typeof r.ms === "number");
      }),
  );
  if (strategyRows.length > 0)
    plots.push({
      id: "strategies",
      title: "Strategies edge→cloud over the WAN: downtime and total migration time per working-set size",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH / 2 - 20,
        height: HEIGHT,
        data: { values: strategyRows },
        mark: "bar",
        encoding: {
          column: { field: "measure", type: "nominal", title: null },
          x: { field: "size", type: "nominal", title: "working set", sort: { field: "sizeMiB" } },
          xOffset: { field: "strategy" },
          y: { field: "ms", type: "quantitative", title: "ms" },
          color: { field: "strategy", type: "nominal" },
        },
      } as TopLevelSpec,
    });

  const redirects = runs.flatMap((m) => m.redirects.filter((r) => typeof r.reconfigurationMs === "number").map((r) => ({ redirect: `${several ? `${label(m)} ` : ""}#${r.id}`, ms: r.reconfigurationMs, state: r.state })));
  if (redirects.length > 0)
    plots.push({
      id: "reconfiguration",
      title: "Network reconfiguration time per redirect (request until every switch confirmed)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH,
        height: HEIGHT,
        data: { values: redirects },
        mark: "bar",
        encoding: { x: { field: "redirect", type: "nominal", sort: null }, y: { field: "ms", type: "quantitative", title: "ms" }, color: { field: "state", type: "nominal" } },
      } as TopLevelSpec,
    });

  const policies = runs.flatMap((m) => m.policies.map((p) => ({ policy: several ? `${p.policy} (${label(m)})` : p.policy, missRate: p.missRate * 100, requests: p.requests })));
  if (policies.length > 0)
    plots.push({
      id: "miss-rate",
      title: "Deadline-miss rate per policy (measured from the devices' real requests)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH,
        height: HEIGHT,
        data: { values: policies },
        mark: "bar",
        encoding: { x: { field: "policy", type: "nominal" }, y: { field: "missRate", type: "quantitative", title: "deadline misses (%)" }, tooltip: [{ field: "requests" }] },
      } as TopLevelSpec,
    });

  const cpu = runs.flatMap((m) => m.cpu.filter((c) => c.tier === "edge").map((c) => ({ t: c.t / 1000, node: several ? `${c.node} (${label(m)})` : c.node, usage: c.usage * 100 })));
  if (cpu.length > 0)
    plots.push({
      id: "edge-cpu",
      title: "Edge CPU usage over time (reserved share of each node's cores)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: WIDTH,
        height: HEIGHT,
        data: { values: cpu },
        mark: { type: "line", interpolate: "step-after" },
        encoding: { x: { field: "t", type: "quantitative", title: "time (s)" }, y: { field: "usage", type: "quantitative", title: "CPU used (%)" }, color: { field: "node", type: "nominal" } },
      } as TopLevelSpec,
    });
  return plots;
}
