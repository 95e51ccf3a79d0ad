// The dashboard's browser code is type-checked on its own (DOM types, which
// the services' tsconfig leaves out): scheduler/ui/client/tsconfig.json.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("the browser client type-checks under its own tsconfig (DOM)", async () => {
  const run = promisify(execFile);
  const out = await run("npx", ["tsc", "--noEmit", "-p", "scheduler/ui/client/tsconfig.json"]).catch((err: { stdout: string; stderr: string }) => err);
  expect(`${out.stdout}${out.stderr}`.trim()).toBe("");
  // ...and it does check the page's code, not an empty program.
  const files = (await run("npx", ["tsc", "--noEmit", "-p", "scheduler/ui/client/tsconfig.json", "--listFilesOnly"])).stdout;
  for (const f of ["scheduler/ui/client/main.ts", "scheduler/ui/client/views/topology.ts", "scheduler/ui/state/topology-state.ts", "src/clients/scheduler.ts"]) expect(files).toContain(f);
}, 120_000);
