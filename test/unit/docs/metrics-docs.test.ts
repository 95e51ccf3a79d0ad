// docs/grafana-dashboard.json and docs/prometheus.yml against what the
// services really export: every metric a dashboard expression queries is
// served by some service's GET /metrics (scraped in-process), every
// FlexiMigrate metric they serve is on the dashboard, and the scrape config
// names each service's /metrics. The checker itself is shown catching a
// misspelt name.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createController, type RunningController } from "../../../controller/app.js";
import { Agent } from "../../../edge-agent/service/agent.js";
import { buildApp } from "../../../edge-agent/service/app.js";
import type { SchedulerApp } from "../../../scheduler/service/app.js";
import { parseExposition } from "../../helpers/prometheus.js";
import { makeApp } from "../scheduler/service/helpers.js";

const DOCS = new URL("../../../docs/", import.meta.url);
const CAPS = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: false, error: "test" }, strategies: {} };

/** Metric families a PromQL expression reads: identifiers of our prefixes, histogram suffixes taken off. */
function metricsIn(expr: string): string[] {
  const names = expr.match(/\b(?:fleximigrate|process|nodejs)_[a-zA-Z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, "")))];
}

/** Names in `used` that no exported family has; a histogram's family covers its _bucket/_sum/_count. */
function unknownNames(used: string[], exported: Set<string>): string[] {
  return used.filter((n) => !exported.has(n));
}

let exported: Set<string>;
let scheduler: SchedulerApp;
let controller: RunningController;

beforeAll(async () => {
  scheduler = await makeApp();
  controller = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, ovsdb: "unix:/nonexistent/fmmet/db.sock" });
  const agentApp = await buildApp(new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fmmet-unused" }, CAPS));
  exported = new Set();
  for (const app of [scheduler, controller.http, agentApp]) {
    const m = parseExposition((await app.inject({ method: "GET", url: "/metrics" })).body);
    for (const name of m.types.keys()) exported.add(name);
  }
  await agentApp.close();
});

afterAll(async () => {
  await scheduler?.close();
  await controller?.close();
});

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(new URL("grafana-dashboard.json", DOCS), "utf8")) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

  it("queries only metrics the services export", () => {
    const used = [...new Set(exprs.flatMap(metricsIn))];
    expect(used.length).toBeGreaterThan(10);
    expect(unknownNames(used, exported)).toEqual([]);
  });

  it("shows every FlexiMigrate metric the services export", () => {
    const used = new Set(exprs.flatMap(metricsIn));
    expect([...exported].filter((n) => n.startsWith("fleximigrate_") && !used.has(n))).toEqual([]);
  });

  it("the checker catches a misspelt name and reads histogram series as their family", () => {
    expect(metricsIn("histogram_quantile(0.9, sum by (le) (rate(fleximigrate_migration_downtime_seconds_bucket[5m])))")).toEqual(["fleximigrate_migration_downtime_seconds"]);
    expect(unknownNames(metricsIn("rate(fleximigrate_controller_flow_installed_total[1m])"), exported)).toEqual(["fleximigrate_controller_flow_installed_total"]);
  });
});

describe("the Prometheus scrape config", () => {
  it("scrapes each service's /metrics at up's default ports", () => {
    const config = parse(readFileSync(new URL("prometheus.yml", DOCS), "utf8")) as {
      scrape_configs: Array<{ job_name: string; metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j]));
    expect(Object.keys(jobs).sort()).toEqual(["agents", "controller", "scheduler"]);
    for (const j of Object.values(jobs)) expect(j.metrics_path).toBe("/metrics");
    const targets = (job: string) => jobs[job]!.static_configs.flatMap((s) => s.targets);
    expect(targets("scheduler")).toEqual(["127.0.0.1:8088"]);
    expect(targets("controller")).toEqual(["127.0.0.1:8181"]);
    expect(targets("agents")).toEqual(["127.0.0.1:7701", "127.0.0.1:7702", "127.0.0.1:7703"]);
  });
});
