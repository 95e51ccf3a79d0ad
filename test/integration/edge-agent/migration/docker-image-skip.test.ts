// The image of a Docker migration between two real agents (real engine, CRIU
// through runc). Both agents run in this process on ephemeral ports and share
// the one dockerd, so the destination's engine has exactly the source's image:
// the migration must not send it, and only the checkpoint travels. A second
// run goes through a relay on 127.0.0.1 in front of the destination that
// answers GET /v1/images with 404 (a destination that cannot say which image
// it has): the image must then travel, and be loaded there, before the
// container is frozen. Containers are named fmi-TAG-…, removed before and after.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MigrationRecord } from "../../../../edge-agent/migration/machine.js";
import { ensureTestImage } from "../../../fixtures/docker-image.js";
import { DockerRuntime } from "../../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type AgentNode, counterOf, createCounter as createCounterOn, finishedMigration, removeContainers, startAgentNode, stopAgentNode } from "../docker-agents.js";
import { requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const tag = randomBytes(3).toString("hex");
const PREFIX = `fmi-${tag}`;

/** A relay to `target` that logs each request and answers GET /v1/images itself with 404. */
async function relayWithoutImageIds(target: string): Promise<{ url: string; log: string[]; close(): Promise<void> }> {
  const to = new URL(target);
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    if (req.method === "GET" && req.url?.startsWith("/v1/images")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "this agent does not say" }));
      return;
    }
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeWhen("the image of a Docker migration: skipped when present, else sent before the freeze", missing([needs.root(), needs.criu(), needs.docker()]), () => {
  const runtime = new DockerRuntime();
  let src: AgentNode;
  let dst: AgentNode;
  let image = "";
  let imageId = "";
  let imageSize = 0;

  const counter = (containerId: string) => counterOf(runtime, containerId);

  const removeOurContainers = () => removeContainers(runtime, PREFIX);

  const createCounter = (id: string) => createCounterOn(runtime, src, image, id);

  /** Migrates `id` to `destination`; resolves the final record and the messages of its progress events, in order. */
  async function migrate(id: string, destination: string): Promise<{ rec: MigrationRecord; messages: string[] }> {
    const messages: string[] = [];
    const listen = (ev: Record<string, unknown>) => {
      if (ev.type === "migration" && typeof ev.message === "string") messages.push(ev.message);
    };
    const unsubscribe = src.agent.events.subscribe(listen);
    try {
      const started = await requestJson<MigrationRecord>("POST", `${src.url}/v1/migrations`, { workload: id, destination, strategy: "stopcopy" });
      expect(started.status).toBe(202);
      return { rec: await finishedMigration(src, started.body.id), messages };
    } finally {
      unsubscribe();
    }
  }

  /** The counter of the arrived container goes on from where it was. */
  async function expectCounterGoesOn(id: string, before: number): Promise<void> {
    const arrived = (await requestJson<{ workloads: WorkloadRecord[] }>("GET", `${dst.url}/v1/workloads`)).body.workloads.find((w) => w.id === id);
    expect(arrived?.state).toBe("running");
    await waitFor(async () => (await counter(arrived!.containerId!)) > before, { what: "the arrived counter to go on" });
    expect(await counter(arrived!.containerId!)).toBeGreaterThan(before);
    expect((await requestJson("DELETE", `${dst.url}/v1/workloads/${id}`, undefined, 60_000)).status).toBe(204);
  }

  beforeAll(async () => {
    image = await ensureTestImage(runtime.docker);
    const inspect = (await runtime.docker.getImage(image).inspect()) as { Id: string; Size: number };
    imageId = inspect.Id;
    imageSize = inspect.Size;
    await removeOurContainers();
    [src, dst] = await Promise.all([startAgentNode("fmi-src"), startAgentNode("fmi-dst")]);
  }, 120_000);

  afterAll(async () => {
    for (const n of [src, dst]) await stopAgentNode(n);
    await removeOurContainers();
  });

  it("does not send an image the destination's engine has: only the checkpoint is before resume, and the record says so", async () => {
    const id = `${PREFIX}-skip`;
    const created = await createCounter(id);
    const before = await counter(created.containerId!);

    const { rec, messages } = await migrate(id, dst.url);
    expect(rec.error).toBeUndefined();
    expect(rec.status).toBe("succeeded");
    expect(rec.metrics!.image).toEqual({ ref: image, id: imageId, sent: false, bytes: 0 });
    // busybox is about 2 MB; the checkpoint of a shell is a small fraction of it.
    expect(imageSize).toBeGreaterThan(1_000_000);
    expect(rec.metrics!.bytesBeforeResume).toBeGreaterThan(0);
    expect(rec.metrics!.bytesBeforeResume).toBeLessThan(imageSize / 4);
    const note = `image ${image} (${imageId}) already on the destination, not sent`;
    expect(messages).toContain(note);
    expect(messages.at(-1)).toContain(note); // the "done" message of the record
    console.log(`docker stop-and-copy, image present: ${JSON.stringify(rec.metrics)}`);

    await expectCounterGoesOn(id, before);
  }, 180_000);

  it("sends and loads the image before the freeze when the destination cannot say which it has", async () => {
    const relay = await relayWithoutImageIds(dst.url);
    try {
      const id = `${PREFIX}-send`;
      const created = await createCounter(id);
      const before = await counter(created.containerId!);

      const { rec, messages } = await migrate(id, relay.url);
      expect(rec.error).toBeUndefined();
      expect(rec.status).toBe("succeeded");
      expect(rec.metrics!.image).toMatchObject({ ref: image, id: imageId, sent: true });
      expect(rec.metrics!.image!.bytes).toBeGreaterThan(imageSize / 2);
      expect(rec.metrics!.bytesBeforeResume).toBeGreaterThan(rec.metrics!.image!.bytes);
      expect(messages).toContain(`image ${image} (${imageId}) sent: ${rec.metrics!.image!.bytes} bytes`);

      // What the destination was asked, in order: the image file, its load, then the checkpoint files, then the restore.
      // Files go one PUT each, or several in one POST bundle to the files URL (transfer/sender.ts).
      const at = (re: RegExp, after = -1) => relay.log.findIndex((l, i) => i > after && re.test(l));
      const upload = /^(PUT \/v1\/incoming\/[^/]+\/files\/[^/]+|POST \/v1\/incoming\/[^/]+\/files)$/;
      const imagePut = at(/^(PUT \/v1\/incoming\/[^/]+\/files\/image\.tar|POST \/v1\/incoming\/[^/]+\/files)$/);
      const load = at(/^POST \/v1\/images$/);
      const firstCheckpointFile = at(upload, load);
      const restore = at(/^POST \/v1\/incoming\/[^/]+\/restore$/);
      expect(imagePut, relay.log.join("\n")).toBeGreaterThanOrEqual(0);
      expect([imagePut < load, load < firstCheckpointFile, firstCheckpointFile < restore], relay.log.join("\n")).toEqual([true, true, true]);
      // On the source: the load was confirmed before the checkpoint began.
      const loaded = messages.indexOf(`image ${image} loaded on the destination, before the freeze`);
      expect(loaded).toBeGreaterThanOrEqual(0);
      expect(loaded).toBeLessThan(messages.indexOf("docker checkpoint create --exit"));
      console.log(`docker stop-and-copy, image sent: ${JSON.stringify(rec.metrics)}`);

      await expectCounterGoesOn(id, before);
    } finally {
      await relay.close();
    }
  }, 180_000);
});
