// The agent runs only what its allow-list names, and no workload sets a
// variable that changes which code a program loads: refused with a 400 naming
// the field, before the runtime (which makes the cgroup) is called.
import { realpathSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { defaultAllowList, resolveAllowList } from "../../../../edge-agent/service/allow-list.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { commandAllowed, envProblem, imageAllowed, splitCommandEntry, wordMatches } from "../../../../edge-agent/service/workload-policy.js";
import { SHIPPED_WORKLOADS_DIR } from "../../../../src/shipped-workloads.js";

const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: true }, cgroupCpu: { ok: true }, strategies: {} };

describe("the allow-list's matching", () => {
  const list = {
    commands: [
      { text: "/bin/sleep", executable: "/usr/bin/sleep", args: [] },
      { text: "node /srv/app-*.mjs", executable: "/usr/bin/node", args: ["/srv/app-*.mjs"] },
    ],
    images: ["busybox", "fleximigrate/*", "redis:7"],
  };

  it("an executable alone allows any arguments; more words must follow it in order", () => {
    expect(commandAllowed(["sleep", "30"], "/usr/bin/sleep", list)).toBe(true);
    expect(commandAllowed(["node", "/srv/app-1f.mjs", "--port", "80"], "/usr/bin/node", list)).toBe(true);
    expect(commandAllowed(["node", "-e", "require('child_process')"], "/usr/bin/node", list)).toBe(false);
    expect(commandAllowed(["node"], "/usr/bin/node", list)).toBe(false);
    expect(commandAllowed(["node", "/srv/x/app-1.mjs"], "/usr/bin/node", list)).toBe(false);
    expect(commandAllowed(["sh", "-c", "id > /tmp/x"], "/usr/bin/dash", list)).toBe(false);
  });

  it("images: a bare name allows its tags and digests, a tagged one only that tag, * stays within a path segment", () => {
    expect(imageAllowed("busybox", list)).toBe(true);
    expect(imageAllowed("busybox:1.36", list)).toBe(true);
    expect(imageAllowed("busybox@sha256:abc", list)).toBe(true);
    expect(imageAllowed("busyboxx", list)).toBe(false);
    expect(imageAllowed("redis:7", list)).toBe(true);
    expect(imageAllowed("redis:6", list)).toBe(false);
    expect(imageAllowed("fleximigrate/busybox:test", list)).toBe(true);
    expect(imageAllowed("fleximigrate/a/b", list)).toBe(false);
    expect(imageAllowed("evil/busybox", list)).toBe(false);
    expect(wordMatches("a.b", "axb")).toBe(false);
  });

  it("env: every LD_* and the other loader and interpreter hooks are named; plain variables pass", () => {
    for (const name of ["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_ANYTHING", "GLIBC_TUNABLES", "NODE_OPTIONS", "PYTHONPATH", "BASH_ENV", "PATH", "BASH_FUNC_x%%"]) {
      expect(envProblem({ MODE: "x", [name]: "/tmp/evil.so" })).toMatch(new RegExp(`^body/env/${name.replace(/[%]/g, "\\$&")}: `));
    }
    expect(envProblem({ MODE: "demo", FLEXIMIGRATE_WORKLOAD_PORT: "8080", UV_USE_IO_URING: "0" })).toBeNull();
    expect(envProblem(undefined)).toBeNull();
  });

  it("an entry is split into words; an executable the host lacks is an error naming it", async () => {
    expect(splitCommandEntry("  python3   /srv/a.py ")).toEqual(["python3", "/srv/a.py"]);
    expect(() => splitCommandEntry("  ")).toThrow(/needs at least an executable/);
    await expect(resolveAllowList({ commands: [["fm-no-such-binary"]], images: [] })).rejects.toThrow(/no executable 'fm-no-such-binary'/);
    const resolved = await resolveAllowList({ commands: [["sh", "-c"]], images: [] });
    expect(resolved.commands[0]).toMatchObject({ executable: realpathSync("/bin/sh"), args: ["-c"] });
  });

  it("the default allows the shipped image server run by this Node, nothing else", async () => {
    const list = await resolveAllowList(defaultAllowList());
    const node = realpathSync(process.execPath);
    expect(commandAllowed([process.execPath, `${SHIPPED_WORKLOADS_DIR}/image-server-0123456789ab.mjs`], node, list)).toBe(true);
    expect(commandAllowed([process.execPath, "-e", "1"], node, list)).toBe(false);
    expect(list.images).toEqual([]);
  });
});

describe("POST /v1/workloads on an agent with the default allow-list", () => {
  let agent: Agent;
  let app: FastifyInstance;
  beforeAll(async () => {
    agent = new Agent({ node: "fmw-unit", tier: "edge", selfUrl: "http://127.0.0.1:46001", workRoot: "/tmp/fmw-unit-unused" }, caps);
    app = await buildApp(agent);
  });
  afterAll(() => app.close());

  const cases: Array<[string, unknown, RegExp]> = [
    ["the root command of issue 13", { command: ["sh", "-c", "id > /tmp/fmw-x"], cpuLimit: 0.1 }, /^body\/command: 'sh -c id > \/tmp\/fmw-x' is not in this agent's allow-list/],
    ["an interpreter with inline code", { command: [process.execPath, "-e", "1"], cpuLimit: 0.1 }, /^body\/command: .* is not in this agent's allow-list/],
    ["an image not listed", { image: "alpine", cpuLimit: 0.1 }, /^body\/image: image 'alpine' is not in this agent's allow-list/],
    ["LD_PRELOAD for an allowed command", { command: [process.execPath, `${SHIPPED_WORKLOADS_DIR}/image-server-0123456789ab.mjs`], env: { LD_PRELOAD: "/tmp/evil.so" }, cpuLimit: 0.1 }, /^body\/env\/LD_PRELOAD: /],
    ["LD_LIBRARY_PATH", { image: "alpine", env: { LD_LIBRARY_PATH: "/tmp" }, cpuLimit: 0.1 }, /^body\/env\/LD_LIBRARY_PATH: /],
  ];
  for (const [what, body, message] of cases) {
    it(`${what}: 400 naming the field, the runtimes never called`, async () => {
      const direct = vi.spyOn(agent.direct, "create").mockRejectedValue(new Error("the runtime must not be called"));
      const docker = vi.spyOn(agent.docker, "create").mockRejectedValue(new Error("the runtime must not be called"));
      const res = await app.inject({ method: "POST", url: "/v1/workloads", payload: body as object });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
      expect(direct).not.toHaveBeenCalled();
      expect(docker).not.toHaveBeenCalled();
      expect((await app.inject({ method: "GET", url: "/v1/workloads" })).json()).toEqual({ workloads: [] });
      vi.restoreAllMocks();
    });
  }
});
