// `fleximigrate up` end to end, without root: the real scheduler child, the
// demo load, the WebSocket stream; then a clean exit with no child left.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeWhen } from "../../../helpers/env.js";

const CLI = fileURLToPath(new URL("../../../../bin/fleximigrate.js", import.meta.url));

/** A port free right now (the OS picks it), for the scheduler child to listen on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Line = { type: string; [k: string]: unknown };

/** Runs `up` with `args`; answers its exit code, its stdout as JSON lines, and its stderr. */
async function runUp(args: string[]): Promise<{ code: number | null; lines: Line[]; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "up", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const killer = setTimeout(() => child.kill("SIGKILL"), 100_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(killer);
  const lines = stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
  return { code, lines, stdout, stderr };
}

describe("fleximigrate up", () => {
  it("shows placements and a move from the demo load, then exits 0 and leaves no child", async () => {
    const port = await freePort();
    const { code, lines, stdout, stderr } = await runUp(["--duration", "8", "--no-controller", "--no-agents", "--json", "--base-port", String(port)]);
    expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);

    const started = lines.filter((l) => l.type === "child-started");
    expect(started.map((l) => l.name)).toEqual(["scheduler"]);
    const up = lines.find((l) => l.type === "up") as { urls: { scheduler: string } } | undefined;
    expect(up?.urls.scheduler).toBe(`http://127.0.0.1:${port}`);

    const placed = lines.filter((l) => l.type === "placed");
    const moves = lines.filter((l) => l.type === "migration-requested");
    expect(placed.length).toBeGreaterThan(3);
    expect(placed.some((l) => l.case === 3)).toBe(true);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves[0]).toMatchObject({ migration: { status: "requested", from: expect.stringMatching(/^edge/), to: "cloud1" } });

    const stopped = lines.at(-1) as { type: string; reason: string; children: Array<{ pid: number }> };
    expect(stopped).toMatchObject({ type: "stopped", reason: "duration reached" });
    expect(stopped.children).toHaveLength(1);
    for (const { pid } of [...started, ...stopped.children] as Array<{ pid: number }>) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 120_000);
});

describeWhen("fleximigrate up with a child that cannot start", existsSync(fileURLToPath(new URL("../../../../controller/cli/serve.ts", import.meta.url))) ? null : "no controller command yet", () => {
  it("reports the controller with its output's tail and goes on with the scheduler", async () => {
    const port = await freePort();
    // Hold the controller's HTTP port (base + 93, as 8181 is to 8088): it must fail to listen.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(port + 93, "127.0.0.1", resolve));
    try {
      const { code, lines, stdout, stderr } = await runUp(["--duration", "3", "--no-agents", "--json", "--base-port", String(port)]);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const failed = lines.find((l) => l.type === "child-failed");
      expect(failed).toMatchObject({ name: "controller", reason: expect.stringMatching(/exited/) });
      expect(String(failed?.tail).length).toBeGreaterThan(0);
      expect(lines.find((l) => l.type === "up")).toMatchObject({ urls: { controller: null } });
      expect(lines.some((l) => l.type === "placed")).toBe(true);
      const stopped = lines.at(-1) as { type: string; children: Array<{ name: string; pid: number }> };
      expect(stopped.type).toBe("stopped");
      for (const { pid } of stopped.children) expect(alive(pid), `pid ${pid}`).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);
});
