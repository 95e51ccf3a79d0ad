// `fleximigrate models` against an in-process scheduler whose one task reported samples.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderModels } from "../../../../scheduler/cli/models.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { runCli } from "../../../helpers/cli.js";
import { LOOSE, makeApp } from "../service/helpers.js";

let app: SchedulerApp;
let base: string;
beforeAll(async () => {
  app = await makeApp();
  const placed = (await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE })).json();
  const samples = [100, 110, 120, 130].map((ms, i) => ({ at: Date.now() + i, e2eMs: ms + 60, processingMs: ms }));
  await app.inject({ method: "POST", url: `/v1/tasks/${placed.task.id}/samples`, payload: { samples } });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("fleximigrate models", () => {
  it("prints each class's model, source, R², samples, measured p50/p95 and error", async () => {
    const r = await runCli(["models", "--scheduler", base]);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trim().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["CLASS", "MODEL", "SOURCE", "R2", "SAMPLES", "P50 MS", "P95 MS", "ERROR %", "REFITS"]);
    expect(row).toMatch(/^detect\/small\s+900\.0\*exp\(-2\.100\*s\)\s+profile\s+-\s+4\s+110\.0\s+130\.0\s+\d+\.\d\s+0$/);
  });

  it("prints the API's JSON with --json", async () => {
    const r = await runCli(["models", "--scheduler", base, "--json"]);
    expect(JSON.parse(r.stdout)["detect/small"]).toMatchObject({ kind: "exponential", a: 900, b: -2.1, source: "profile", r2: null, samples: 4 });
  });

  it("renders a live model, an older scheduler's bare model, and none", () => {
    expect(renderModels({ "a/x": { kind: "power", a: 50, b: -1, source: "live", r2: 0.97, samples: 3, measuredError: 0.05, refits: 1 } })).toMatch(/^a\/x\s+50\.0\*s\^-1\.000\s+live\s+0\.970\s+3\s+-\s+-\s+5\.0\s+1$/m);
    expect(renderModels({ "a/x": { kind: "power", a: 50, b: -1 } })).toMatch(/^a\/x\s+50\.0\*s\^-1\.000\s+profile\s+-\s+0\s+-\s+-\s+-\s+0$/m);
    expect(renderModels({})).toBe("(no models)\n");
  });

  it("fails with exit 1 when the scheduler is unreachable", async () => {
    const r = await runCli(["models", "--scheduler", "http://127.0.0.1:1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach/);
  });
});
