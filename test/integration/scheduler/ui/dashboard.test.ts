// The dashboard in Debian's headless Chromium (playwright-core, never a
// downloaded browser) against the closed loop with every part real: the
// controller, one Open vSwitch bridge per node joined by VXLAN, the scheduler
// serving /ui, three agents. The page loads with no console error, the
// topology shows the loop's switches (by bridge name, read from the switches
// themselves), a post-copy move asked through the API appears and reaches
// COMPLETED on screen, a device's measured latency is drawn, a switch's flow
// table and the DNS records are shown, and no view overflows a phone's width.
// Screenshots of each view go to test-artifacts/dashboard/ (gitignored).
// The loop runs with mutual TLS (its CA in STATE/tls); the page is opened as a
// viewer with a bearer token signed by that CA (?token=), as an operator would.
import { createPrivateKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Placed } from "../../../../src/api-types/scheduler.js";
import { type RunningLoop, startLoop } from "../../../../src/demo/loop-cluster.js";
import { signToken } from "../../../../src/trust/token.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { ServiceDevice } from "../../../helpers/service-device.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const PREFIX = "fmd";
const STATE = "/tmp/fmd-ui-state";
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = "test-artifacts/dashboard";
const VIEWS = ["topology", "nodes", "migrations", "flows", "devices"] as const;

/**
 * What the functions run in the page touch of the browser: this file is type-checked without the DOM's types,
 * and the page's content security policy forbids evaluating strings, so they are functions with this cast.
 */
type InPage = {
  location: { hash: string };
  innerWidth: number;
  document: {
    querySelector(s: string): { textContent: string | null; _cyreg?: { cy: CyGraph } } | null;
    documentElement: { scrollWidth: number };
    body: { scrollWidth: number };
  };
};
/** The little of Cytoscape's core the test reads: the drawn graph itself, through its container (`_cyreg`). */
type CyNode = { id(): string; data(k: string): string };
type CyGraph = { edges(sel: string): { map<T>(f: (e: { source(): CyNode; target(): CyNode }) => T): T[] } };

describeWhen(
  "the dashboard shows the real loop live, in a real browser",
  missing([needs.root(), needs.ovs(), needs.criu(), [() => existsSync(CHROMIUM), `Debian's chromium is not installed at ${CHROMIUM}`]]),
  () => {
    let loop: RunningLoop;
    let browser: Browser;
    const problems: string[] = [];
    let viewerToken = "";

    beforeAll(async () => {
      await run("bash", ["scripts/services.sh", "start", "ovs"]);
      rmSync(STATE, { recursive: true, force: true });
      mkdirSync(ARTIFACTS, { recursive: true });
      loop = await startLoop({ prefix: PREFIX, stateDir: STATE, schedulerArgs: ["--min-residence", "0"] });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      const caKey = createPrivateKey(readFileSync(path.join(STATE, "tls", "ca.key")));
      viewerToken = signToken(caKey, { role: "viewer", name: "operator", iat: Math.floor(Date.now() / 1000) });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await loop?.stop();
      rmSync(STATE, { recursive: true, force: true });
    }, 90_000);

    /** A page that records every console error and uncaught exception. */
    async function open(width: number, height: number, view: string): Promise<Page> {
      // The browser does not know the loop's private CA: the test checks the dashboard, not the browser's trust store.
      const page = await browser.newPage({ viewport: { width, height }, ignoreHTTPSErrors: true });
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      await page.goto(`${loop.schedulerUrl}/ui/?token=${encodeURIComponent(viewerToken)}#${view}`);
      await page.waitForSelector('body[data-scheduler-stream="live"][data-controller-stream="live"]', { timeout: 60_000 });
      return page;
    }

    async function show(page: Page, view: string): Promise<void> {
      await page.evaluate((v) => {
        (globalThis as unknown as InPage).location.hash = v;
      }, view);
      await page.waitForSelector(`#view-${view}:not([hidden])`);
    }

    it("loads with no console error, shows the loop's switches, a move reaching COMPLETED, latency, flows and DNS; fits a phone", async () => {
      const page = await open(1280, 900, "topology");

      // The topology: every bridge of the loop, named as its switch names its LOCAL port.
      const bridges = loop.plan.bridges.map((b) => b.name);
      await page.waitForFunction((n) => (globalThis as unknown as InPage).document.querySelector('[data-testid="switch-count"]')?.textContent === `${n} switch(es)`, bridges.length, { timeout: 30_000 });
      await waitFor(
        async () => {
          const text = (await page.locator(".switch-list").textContent()) ?? "";
          return bridges.every((b) => text.includes(b)) ? text : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `the switch list to name ${bridges.join(", ")}` },
      );
      expect(await page.locator('[data-testid="topology-graph"] canvas').count(), "cytoscape drew on its canvas").toBeGreaterThan(0);
      expect(await page.locator(".legend").textContent()).toMatch(/\(2 VXLAN\)/);

      // A task with a device sending real requests over one connection.
      const outcome = await loop.scheduler.submitTask({ id: "ui-1", device: "cam-ui", workload: "detect", inputClass: "small", delayBudgetMs: 400 }, { timeoutMs: 60_000 });
      if (outcome.outcome !== "placed") throw new Error(`refused: ${outcome.refused.reason}\n${loop.tails()}`);
      const placed: Placed = outcome.placed;
      expect(placed.node).toMatch(/^edge/);
      const device = new ServiceDevice(placed.serviceIp!, placed.port!, { everyMs: 50, timeoutMs: 60_000 });
      device.start();
      await device.answersAfter(5);
      // Reported before the move: the devices view draws a point and the nodes view a measured p50.
      await loop.scheduler.reportSamples("ui-1", { samples: device.log.answers.map((a) => ({ at: a.at - a.ms, e2eMs: a.ms })) });

      // The move, asked through the API, watched on screen.
      await show(page, "migrations");
      const move = await loop.scheduler.requestMove({ task: "ui-1", to: "cloud1", strategy: "postcopy" });
      const card = page.locator(`[data-migration="${move.id}"]`);
      await card.waitFor({ timeout: 30_000 });
      const seen: string[] = [];
      const final = await waitFor(
        async () => {
          const state = await card.getAttribute("data-state");
          if (state && seen.at(-1) !== state) seen.push(state);
          return state === "COMPLETED" || state === "FAILED" ? state : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 100, what: `move ${move.id} to reach a final state on screen` },
      );
      const record = await loop.scheduler.migration(move.id);
      expect(final, record.log?.join("\n")).toBe("COMPLETED");
      console.log(`states seen on screen: ${seen.join(" -> ")}`);
      const happy = ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"];
      expect(seen.every((s) => happy.includes(s)) && seen.map((s) => happy.indexOf(s)).every((i, k, all) => k === 0 || i > all[k - 1]!), seen.join(",")).toBe(true);
      // Its figures and log lines arrive with the record read on the final transition.
      await waitFor(async () => ((await card.locator("pre.log").textContent()) ?? "").includes("Final State: COMPLETED") || undefined, { timeoutMs: 15_000, intervalMs: 100, what: "the move's log lines on screen" });
      const figures = (await card.locator(".figures").textContent()) ?? "";
      expect(figures).toMatch(/postcopy/);
      expect(figures).toMatch(new RegExp(`downtime\\s*${Math.round(record.metrics!.frozenMs!)} ms`));
      await card.locator("summary").click(); // the timeline and the FlexiMigrate lines, for the screenshot
      await card.locator("pre.log").waitFor({ state: "visible" });
      await page.screenshot({ path: `${ARTIFACTS}/migrations.png`, fullPage: true });

      await device.answersAfter(5);
      await device.stop();
      // The connection across the move is the closed-loop suite's to check; here its answers are only figures to draw.
      console.log(`device: ${device.log.answers.length} answers, ${device.log.errors.length} error(s) ${JSON.stringify(device.log.errors.slice(0, 3))}`);
      await loop.scheduler.reportSamples("ui-1", { samples: device.log.answers.slice(-40).map((a) => ({ at: a.at - a.ms, e2eMs: a.ms })) });

      // The path the moved service's traffic takes now, lit on the topology.
      await show(page, "topology");
      await page.waitForFunction(() => /moved: ui-1 via \d+ switch/.test((globalThis as unknown as InPage).document.querySelector(".path-note")?.textContent ?? ""), undefined, { timeout: 30_000 });
      // The service is drawn where it runs now: on the cloud's bridge, which is named with cloud1.
      const cloudBridge = loop.plan.bridges.find((b) => b.node === "cloud1")!;
      expect(await page.locator(`.switch-list li[data-dpid="${cloudBridge.dpid}"]`).textContent()).toBe(`${cloudBridge.name} · cloud1`);
      const attachedTo = await page.evaluate(() => {
        const cy = (globalThis as unknown as InPage).document.querySelector('[data-testid="topology-graph"]')?._cyreg?.cy;
        return cy?.edges(".attach").map((e) => [e.source().data("label"), e.target().id()]) ?? [];
      });
      expect(attachedTo.filter(([label]) => label?.startsWith("ui-1")).map(([, to]) => to), JSON.stringify(attachedTo)).toEqual([cloudBridge.dpid]);
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${ARTIFACTS}/topology.png`, fullPage: true });

      // Nodes: the task under cloud1 now, with its measured latency.
      await show(page, "nodes");
      await page.waitForSelector('[data-node="cloud1"] tr[data-task="ui-1"]', { timeout: 30_000 });
      for (const n of ["edge1", "edge2", "cloud1"]) expect(await page.locator(`[data-node="${n}"]`).count()).toBe(1);
      await page.screenshot({ path: `${ARTIFACTS}/nodes.png`, fullPage: true });

      // Devices: the device's latency drawn against its budget, the move marked.
      await show(page, "devices");
      const chart = page.locator('[data-device="cam-ui"] svg');
      await chart.locator("path.series.p50").waitFor({ timeout: 30_000 });
      expect(await chart.locator("line.budget").count()).toBe(1);
      expect(await chart.locator("line.mark.completed").count()).toBe(1);
      await page.screenshot({ path: `${ARTIFACTS}/devices.png`, fullPage: true });

      // Flows and DNS: the cloud bridge's table as the switch answers it, and the task's record.
      await show(page, "flows");
      await page.selectOption('[data-testid="switch-picker"]', cloudBridge.dpid);
      await waitFor(async () => ((await page.locator('[data-testid="flow-table"] tbody tr').count()) > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, what: "the cloud switch's flows on screen" });
      await waitFor(async () => (((await page.locator('[data-testid="dns-table"]').textContent()) ?? "").includes(placed.serviceIp!) ? true : undefined), { timeoutMs: 15_000, intervalMs: 200, what: "the task's DNS record on screen" });
      await page.screenshot({ path: `${ARTIFACTS}/flows-dns.png`, fullPage: true });

      // A viewer's page: nothing on it changes anything (no form but the token's, no button but its submit).
      expect(await page.locator("form").count()).toBe(1);
      expect(await page.locator("button").count()).toBe(1);

      // A phone: every view within the screen's width.
      const phone = await open(390, 844, "topology");
      for (const v of VIEWS) {
        await show(phone, v);
        await phone.waitForTimeout(300);
        const widths = await phone.evaluate(() => {
          const w = globalThis as unknown as InPage;
          return { page: w.document.documentElement.scrollWidth, body: w.document.body.scrollWidth, screen: w.innerWidth };
        });
        expect(widths.page, `${v} at 390 px: ${JSON.stringify(widths)}`).toBeLessThanOrEqual(widths.screen);
        expect(widths.body, `${v} at 390 px`).toBeLessThanOrEqual(widths.screen);
        await phone.screenshot({ path: `${ARTIFACTS}/phone-${v}.png`, fullPage: true });
      }

      expect(problems).toEqual([]);
      await loop.scheduler.releaseTask("ui-1");
    }, 420_000);
  },
);
