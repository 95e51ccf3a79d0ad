// The Docker stop-and-copy source side and the image: sent before the freeze
// (out of the downtime), and not at all when the destination's engine already
// has the same image id. The engine and the destination agent are fakes at
// their boundaries (a recording engine object, a local HTTP server).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SourceEngine, dockerStopcopy, imageIdAt } from "../../../edge-agent/migration/docker-stopcopy.js";
import type { MigrationContext } from "../../../edge-agent/migration/strategy.js";
import type { WorkloadRecord } from "../../../edge-agent/runtime/types.js";

const REF = "fleximigrate/busybox:test";
const LOCAL_ID = "sha256:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
const OTHER_ID = "sha256:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";

describe("the image in a Docker stop-and-copy", () => {
  let root = "";
  let server: http.Server | undefined;
  let agentUrl = "";
  // What the fake destination agent answers at GET /v1/images: an id, a status, or a dropped connection.
  let answer: { id: string } | { status: number } | "drop" = { status: 404 };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "fmd-image-"));
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://agent");
      if (url.pathname !== "/v1/images" || url.searchParams.get("ref") !== REF) {
        res.statusCode = 404;
        return void res.end(JSON.stringify({ message: "no route" }));
      }
      if (answer === "drop") return void req.socket.destroy();
      if ("status" in answer) {
        res.statusCode = answer.status;
        return void res.end(JSON.stringify({ message: "no image" }));
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ref: REF, id: answer.id }));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    agentUrl = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs the source side against the fakes; answers the calls in the order they happened. */
  async function migrate(n: number): Promise<{ calls: string[]; result: Awaited<ReturnType<ReturnType<typeof dockerStopcopy>["migrateSource"]>>; restoreParams: Record<string, unknown> }> {
    const calls: string[] = [];
    const workDir = join(root, `m${n}`);
    mkdirSync(workDir);
    const engine: SourceEngine = {
      imageId: async (ref) => (ref === REF ? LOCAL_ID : undefined),
      saveImage: async () => {
        calls.push("save");
        return Readable.from([Buffer.alloc(3000, 1)]);
      },
      checkpoint: async (record, name, opts) => {
        calls.push("checkpoint");
        const dir = join(opts?.dir ?? "", name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "inventory.img"), "inv");
        writeFileSync(join(dir, "pages-1.img"), Buffer.alloc(8192));
        return { ...record, state: "stopped" };
      },
    };
    const workload: WorkloadRecord = {
      id: "counter",
      runtime: "docker",
      spec: { image: REF, cpuLimit: 0.5, ports: [], labels: {} },
      state: "running",
      createdAt: new Date(0).toISOString(),
      containerId: "c0ffee",
    };
    let restoreParams: Record<string, unknown> = {};
    const ctx = {
      migrationId: `m${n}`,
      workload,
      workDir,
      destination: {
        url: agentUrl,
        restore: async (_hook: string, params?: Record<string, unknown>) => {
          calls.push("restore");
          restoreParams = params ?? {};
          return { workloadId: "counter" };
        },
      },
      source: {} as MigrationContext["source"],
      sendFiles: async (_dir: string, files: string[]) => {
        calls.push(`send ${files.join(",")}`);
        return { files: files.length, bytes: files.length * 1000, ms: 1 };
      },
      countBytes: () => undefined,
      emit: () => undefined,
      probe: {
        quiesceSource: async () => void calls.push("freeze"),
        lastSourceAnswerAt: () => undefined,
        waitForDestination: async () => 0,
      },
      signal: new AbortController().signal,
      log: () => undefined,
    } satisfies MigrationContext;
    const result = await dockerStopcopy(() => engine).migrateSource(ctx);
    return { calls, result, restoreParams };
  }

  it("sends the image before the container is frozen when the destination has another id", async () => {
    answer = { id: OTHER_ID };
    const { calls, result, restoreParams } = await migrate(1);
    expect(calls).toEqual(["save", "send image.tar", "freeze", "checkpoint", "send inventory.img,pages-1.img", "restore"]);
    expect(result.image).toEqual({ ref: REF, id: LOCAL_ID, sent: true, bytes: 1000 });
    expect(restoreParams.imageTar).toBe("image.tar");
  });

  it("sends it too when the destination has no such image or cannot say", async () => {
    for (const [i, a] of ([{ status: 404 }, { status: 500 }, "drop"] as const).entries()) {
      answer = a;
      const { calls, result } = await migrate(10 + i);
      expect(calls.slice(0, 3)).toEqual(["save", "send image.tar", "freeze"]);
      expect(result.image?.sent).toBe(true);
    }
  });

  it("does not save or send the image when the destination's engine has the same id", async () => {
    answer = { id: LOCAL_ID };
    const { calls, result, restoreParams } = await migrate(2);
    expect(calls).toEqual(["freeze", "checkpoint", "send inventory.img,pages-1.img", "restore"]);
    expect(result.image).toEqual({ ref: REF, id: LOCAL_ID, sent: false, bytes: 0 });
    expect(restoreParams).not.toHaveProperty("imageTar");
    expect(result.pagesPushed).toBe(2);
  });

  it("imageIdAt reads the id, and gives undefined for 404 or a dropped connection", async () => {
    answer = { id: OTHER_ID };
    expect(await imageIdAt(agentUrl, REF)).toBe(OTHER_ID);
    answer = { status: 404 };
    expect(await imageIdAt(agentUrl, REF)).toBeUndefined();
    answer = "drop";
    expect(await imageIdAt(agentUrl, REF)).toBeUndefined();
    expect(await imageIdAt("http://127.0.0.1:9", REF)).toBeUndefined();
  });
});
