// Where the image of a Docker stop-and-copy travels and is loaded: all of it
// before the source's container freezes, so the downtime holds only the
// checkpoint. The source side runs against a fake engine and a fake
// destination agent (a local HTTP server on 127.0.0.1) that log every call in
// one list, so the test sees their order. The destination's own routes
// (GET/POST /v1/images) run in the real fastify app with a fake engine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capabilities, MigrationContext } from "../../../../edge-agent/migration/strategy.js";
import type { DockerRuntime } from "../../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { MIGRATION_TOKEN_HEADER } from "../../../../edge-agent/service/migration-token.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { type DockerSource, dockerStopcopyStrategy } from "../../../../edge-agent/migration/docker-stopcopy.js";
import { peerAgent } from "../../../../edge-agent/service/peer-agent.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

const REF = "fleximigrate/busybox:test";
const LOCAL_ID = `sha256:${"a1".repeat(32)}`;
const OTHER_ID = `sha256:${"b2".repeat(32)}`;

/** How the fake destination answers: GET /v1/images (an id, a status, or a dropped connection) and POST /v1/images (an id, a status, or no such route). */
interface Behaviour {
  has: { id: string } | { status: number } | "drop";
  load: { id: string } | { status: number };
}

describe("the image of a Docker stop-and-copy, on the source side", () => {
  let root = "";
  let server: http.Server | undefined;
  let agentUrl = "";
  let behaviour: Behaviour = { has: { status: 404 }, load: { id: LOCAL_ID } };
  let calls: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "fmi-unit-"));
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://agent");
      const reply = (a: { id: string } | { status: number }) => {
        res.setHeader("content-type", "application/json");
        if ("status" in a) {
          res.statusCode = a.status;
          return void res.end(JSON.stringify({ message: `fake ${a.status}` }));
        }
        res.end(JSON.stringify({ ref: REF, id: a.id }));
      };
      if (url.pathname === "/v1/images" && req.method === "GET") {
        calls.push("ask");
        if (behaviour.has === "drop") return void req.socket.destroy();
        return reply(behaviour.has);
      }
      if (url.pathname === "/v1/images" && req.method === "POST") {
        let body = "";
        req.on("data", (c: Buffer) => {
          body += c.toString();
        });
        req.on("end", () => {
          const { file, ref, migrationId } = JSON.parse(body) as { file: string; ref: string; migrationId: string };
          calls.push(`load ${file} ${ref} ${migrationId}`);
          reply(behaviour.load);
        });
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ message: "no route" }));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    agentUrl = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  /** Runs the source side against the fakes; the calls land in `calls`, in order. */
  async function migrate(b: Behaviour) {
    behaviour = b;
    calls = [];
    const id = `m-${++n}`;
    const workDir = join(root, id);
    mkdirSync(workDir);
    const events: string[] = [];
    const unused = async (): Promise<never> => {
      throw new Error("not used before a rollback");
    };
    const engine: DockerSource = {
      imageId: async (ref) => (ref === REF ? LOCAL_ID : undefined),
      saveImage: async () => {
        calls.push("save");
        return Readable.from([Buffer.alloc(3000, 1)]);
      },
      checkpoint: async (record, name, opts) => {
        calls.push("checkpoint");
        const dir = join(opts?.dir ?? "", name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "pages-1.img"), Buffer.alloc(8192));
        return { ...record, state: "stopped" };
      },
      state: unused,
      restoreFromCheckpoint: unused,
    };
    const workload: WorkloadRecord = {
      id: "counter",
      runtime: "docker",
      spec: { image: REF, cpuLimit: 0.5, ports: [], labels: {} },
      state: "running",
      createdAt: new Date(0).toISOString(),
      containerId: "c0ffee",
    };
    let restoreParams: Record<string, unknown> | undefined;
    const ctx = {
      migrationId: id,
      workload,
      workDir,
      runtime: engine,
      peer: peerAgent(agentUrl),
      destination: {
        url: agentUrl,
        restore: async (_hook: string, params?: Record<string, unknown>) => {
          calls.push("restore");
          restoreParams = params ?? {};
          return { workloadId: "counter" };
        },
      },
      sendFiles: async (_dir: string, files: string[]) => {
        calls.push(`send ${files.join(",")}`);
        return { files: files.length, bytes: files.length * 1000, ms: 1 };
      },
      countBytes: () => undefined,
      emit: (ev: { message?: string }) => void (ev.message && events.push(ev.message)),
      probe: {
        quiesceSource: async () => void calls.push("freeze"),
        lastSourceAnswerAt: () => undefined,
        waitForDestination: async () => 0,
      },
      signal: new AbortController().signal,
      log: () => undefined,
    } satisfies MigrationContext<DockerSource>;
    const outcome = await dockerStopcopyStrategy
      .migrateSource(ctx)
      .then(
        (result) => ({ result, error: undefined }),
        (error: Error) => ({ result: undefined, error }),
      );
    return { id, calls, events, restoreParams, ...outcome };
  }

  it("same image id on the destination: nothing saved, sent or loaded, and the events say so", async () => {
    const { calls, events, result, restoreParams } = await migrate({ has: { id: LOCAL_ID }, load: { status: 500 } });
    expect(calls).toEqual(["ask", "freeze", "checkpoint", "send pages-1.img", "restore"]);
    expect(result?.image).toEqual({ ref: REF, id: LOCAL_ID, sent: false, bytes: 0 });
    expect(restoreParams).not.toHaveProperty("imageTar");
    expect(events).toContain(`image ${REF} (${LOCAL_ID}) already on the destination, not sent`);
    expect(result?.pagesPushed).toBe(2);
  });

  it("another id on the destination: the image is saved, sent and loaded there before the freeze", async () => {
    const { id, calls, events, result, restoreParams } = await migrate({ has: { id: OTHER_ID }, load: { id: LOCAL_ID } });
    expect(calls).toEqual(["ask", "save", "send image.tar", `load image.tar ${REF} ${id}`, "freeze", "checkpoint", "send pages-1.img", "restore"]);
    expect(result?.image).toEqual({ ref: REF, id: LOCAL_ID, sent: true, bytes: 1000 });
    // Loaded already: the restore (inside the downtime) has no image to load.
    expect(restoreParams).not.toHaveProperty("imageTar");
    expect(events).toContain(`image ${REF} (${LOCAL_ID}) sent: 1000 bytes`);
  });

  it("no such image on the destination (404), or one that cannot say (500, a dropped connection): sent and loaded before the freeze too", async () => {
    for (const has of [{ status: 404 }, { status: 500 }, "drop"] as const) {
      const { calls, result } = await migrate({ has, load: { id: LOCAL_ID } });
      expect(calls.slice(0, 5)).toEqual(["ask", "save", "send image.tar", expect.stringMatching(/^load image\.tar /), "freeze"]);
      expect(result?.image?.sent).toBe(true);
    }
  });

  it("the peer agent's imageId reads the id, and gives undefined for 404, a dropped connection or no agent", async () => {
    behaviour = { has: { id: OTHER_ID }, load: { id: LOCAL_ID } };
    expect(await peerAgent(agentUrl).imageId(REF)).toBe(OTHER_ID);
    behaviour = { has: { status: 404 }, load: { id: LOCAL_ID } };
    expect(await peerAgent(agentUrl).imageId(REF)).toBeUndefined();
    behaviour = { has: "drop", load: { id: LOCAL_ID } };
    expect(await peerAgent(agentUrl).imageId(REF)).toBeUndefined();
    expect(await peerAgent("http://127.0.0.1:9").imageId(REF)).toBeUndefined();
  });

  it("a destination without POST /v1/images gets the image before the freeze and loads it at restore", async () => {
    const { calls, result, restoreParams } = await migrate({ has: { status: 500 }, load: { status: 404 } });
    expect(calls.indexOf("send image.tar")).toBeLessThan(calls.indexOf("freeze"));
    expect(calls.indexOf("freeze")).toBeLessThan(calls.indexOf("checkpoint"));
    expect(result?.image?.sent).toBe(true);
    expect(restoreParams?.imageTar).toBe("image.tar");
  });

  it("a load that fails, or gives another id, fails the migration before the container is frozen", async () => {
    for (const load of [{ status: 500 }, { id: OTHER_ID }]) {
      const { calls, error } = await migrate({ has: { status: 404 }, load });
      expect(error?.message).toMatch(/destination/);
      expect(calls).not.toContain("freeze");
      expect(calls).not.toContain("checkpoint");
    }
  });
});

describe("GET and POST /v1/images on the destination agent", () => {
  const caps: Capabilities = {
    criu: { present: false, checkOk: false, features: {} },
    docker: { present: true, checkpoint: true },
    cgroupCpu: { ok: false, error: "not needed" },
    strategies: {},
  };
  const workRoot = mkdtempSync(join(tmpdir(), "fmi-agent-"));
  const loaded: string[] = [];
  const images = new Map<string, string>();
  // The engine at its boundary: load reads the tar, imageId answers what was loaded.
  const engine = {
    imageId: async (ref: string) => images.get(ref),
    loadImage: async (tar: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const c of tar) chunks.push(Buffer.from(c as Buffer));
      loaded.push(Buffer.concat(chunks).toString());
      images.set(REF, LOCAL_ID);
    },
  };
  const agent = new Agent({ node: "fmi-unit", tier: "edge", selfUrl: "http://127.0.0.1:9", workRoot, allow: TEST_ALLOW }, caps);
  Object.defineProperty(agent, "docker", { value: engine as unknown as DockerRuntime });
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    app = await buildApp(agent);
  });

  afterAll(async () => {
    await app.close();
    rmSync(workRoot, { recursive: true, force: true });
  });

  // The source that opened the migration shows its one-time token (migration-token.ts).
  const load = (body: unknown, token?: string) =>
    app.inject({ method: "POST", url: "/v1/images", payload: body as Record<string, unknown>, headers: token ? { [MIGRATION_TOKEN_HEADER]: token } : {} });

  it("loads a tar that arrived with an open migration, deletes it, and answers the id", async () => {
    expect((await app.inject({ method: "GET", url: `/v1/images?ref=${encodeURIComponent(REF)}` })).statusCode).toBe(404);
    const workload: WorkloadRecord = { id: "w-img", runtime: "docker", spec: { image: REF, cpuLimit: 1, ports: [], labels: {} }, state: "running", createdAt: "" };
    const { token } = await agent.openIncoming("m-img1", workload, "http://127.0.0.1:9");
    const tar = join(agent.incomingDir("m-img1"), "image.tar");
    writeFileSync(tar, "the image tar");
    expect((await load({ migrationId: "m-img1", file: "image.tar", ref: REF })).statusCode).toBe(401);
    expect(loaded).toEqual([]);
    const res = await load({ migrationId: "m-img1", file: "image.tar", ref: REF }, token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ref: REF, id: LOCAL_ID });
    expect(loaded).toEqual(["the image tar"]);
    expect(existsSync(tar)).toBe(false);
    expect((await app.inject({ method: "GET", url: `/v1/images?ref=${encodeURIComponent(REF)}` })).json()).toEqual({ ref: REF, id: LOCAL_ID });
    await agent.abortIncoming("m-img1");
  });

  it("answers 400, and loads nothing, for an unknown migration, a missing file, a bad name or body", async () => {
    const before = loaded.length;
    const { token } = await agent.openIncoming("m-img2", { id: "w-img2", runtime: "docker", spec: { image: REF, cpuLimit: 1, ports: [], labels: {} }, state: "running", createdAt: "" }, "http://127.0.0.1:9");
    for (const body of [
      { migrationId: "m-none", file: "image.tar", ref: REF },
      { migrationId: "m-img2", file: "image.tar", ref: REF },
      { migrationId: "m-img2", file: "../image.tar", ref: REF },
      { migrationId: "m-img2", file: "..", ref: REF },
      { migrationId: "m-img2", file: "image.tar" },
    ]) {
      const res = await load(body, token);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toBeTruthy();
    }
    expect(loaded.length).toBe(before);
    await agent.abortIncoming("m-img2");
  });
});
