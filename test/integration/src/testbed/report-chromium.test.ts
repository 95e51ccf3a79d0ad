// The testbed's report.html in a real browser: Debian's Chromium through
// playwright-core (never a downloaded browser), offline, every plot drawn.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterAll, expect, it } from "vitest";
import { renderReport } from "../../../../src/testbed/report/render.js";
import { describeWhen, missing } from "../../../helpers/env.js";
import { sampleMeasurements } from "../../../helpers/testbed-measurements.js";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

describeWhen("testbed report.html in Chromium", missing([[() => existsSync(CHROMIUM), `Debian's chromium is missing (${CHROMIUM})`]]), () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fmt-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("draws every plot of a one-run and a side-by-side report, with no request leaving the page", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      for (const [name, runs] of [
        ["one", [sampleMeasurements()]],
        ["two", [sampleMeasurements("run-a", "delay-aware"), sampleMeasurements("run-b", "random")]],
      ] as const) {
        const file = path.join(dir, `${name}.html`);
        writeFileSync(file, await renderReport([...runs]));
        const page = await browser.newPage();
        const outside: string[] = [];
        page.on("request", (r) => {
          if (!r.url().startsWith("file://")) outside.push(r.url());
        });
        await page.goto(`file://${file}`);
        const plots = await page.$$eval("figure.plot", (figs) =>
          figs.map((f) => {
            const svg = f.querySelector("svg");
            const box = svg?.getBoundingClientRect();
            // Drawn marks: paths, rects and lines with a size on the screen.
            const marks = svg ? [...svg.querySelectorAll("path, rect, line")].filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length : 0;
            return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks };
          }),
        );
        expect(plots.map((p) => p.id)).toEqual(["plot-latency", "plot-migrations", "plot-reconfiguration", "plot-miss-rate", "plot-edge-cpu"]);
        for (const p of plots) {
          expect(p.width, `${name} ${p.id} width`).toBeGreaterThan(100);
          expect(p.height, `${name} ${p.id} height`).toBeGreaterThan(100);
          expect(p.marks, `${name} ${p.id} marks`).toBeGreaterThan(3);
        }
        expect(outside).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
