// The profiled service, run as its own process so that a CPU limit applies to it
// alone: GET /process?size=small|medium|large blurs and edge-detects that image and
// answers with a small JSON (with the request's own wall time, processingMs).
// Prints `{"port":N}` on stdout once it listens.
import { randomFillSync } from "node:crypto";
import { fstatSync } from "node:fs";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { generateImage, IMAGE_SIZES, isInputClass, type GrayImage, type InputClass } from "./images.js";
import { checksum, detectEdges, edgeFraction } from "./kernels.js";

// Each size's image and output buffers are made once: a request allocates almost
// nothing, so garbage collection does not add CPU work to random requests (under a
// quota, that extra work shows up as latency spikes several times its length).
interface Input {
  image: GrayImage;
  scratch: { blurred: Uint8Array; edges: Uint8Array };
}
const inputs = new Map<InputClass, Input>();
function inputFor(size: InputClass): Input {
  let input = inputs.get(size);
  if (!input) {
    const image = generateImage(IMAGE_SIZES[size]);
    const n = image.pixels.length;
    input = { image, scratch: { blurred: new Uint8Array(n), edges: new Uint8Array(n) } };
    inputs.set(size, input);
  }
  return input;
}

// Requests served since start: lives in the process's memory, so it continues
// across a live migration and restarts from 0 only when the workload restarts.
let served = 0;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method !== "GET" || url.pathname !== "/process") return reply(404, { error: "GET /process?size=small|medium|large" });
  const size = url.searchParams.get("size") ?? "";
  if (!isInputClass(size)) return reply(400, { error: `unknown size '${size}'` });
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const { image, scratch } = inputFor(size);
  const edges = detectEdges(image, scratch);
  const cpu = process.cpuUsage(cpuStart);
  served++;
  reply(200, {
    served,
    size,
    side: edges.width,
    checksum: checksum(edges),
    edgeFraction: edgeFraction(edges),
    cpuMs: (cpu.user + cpu.system) / 1000,
    // Wall time of the work, throttling under a CPU limit included: what devices' reports compare with the model.
    processingMs: performance.now() - wallStart,
  });
});

// A benchmark's stand-in for a workload's state (bench loop): MiB of touched,
// random-looking memory held for the process's life, so a checkpoint carries it.
const ballast = fillBallast(Number(process.env.FLEXIMIGRATE_WORKLOAD_BALLAST_MIB ?? 0));

/** Allocated in 64 MiB buffers (outside the V8 heap); each page gets distinct bytes, made cheaply from one random MiB. */
function fillBallast(mib: number): Buffer[] {
  if (mib === 0) return [];
  if (!Number.isInteger(mib) || mib < 0) throw new Error(`FLEXIMIGRATE_WORKLOAD_BALLAST_MIB must be a whole number of MiB, not '${process.env.FLEXIMIGRATE_WORKLOAD_BALLAST_MIB}'`);
  const seed = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const chunks: Buffer[] = [];
  for (let left = mib; left > 0; left -= 64) {
    const chunk = Buffer.allocUnsafe(Math.min(64, left) << 20);
    for (let off = 0; off < chunk.length; off += seed.length) seed.copy(chunk, off);
    // Copying one random MiB is far cheaper than fresh random bytes under a task's small CPU quota; a stamp keeps every page distinct.
    for (let page = 0; page < chunk.length; page += 4096) chunk.writeUInt32LE((chunks.length << 14) + page / 4096, page);
    chunks.push(chunk);
  }
  return chunks;
}

const port = Number(process.env.FLEXIMIGRATE_WORKLOAD_PORT ?? 0);
// Profiled: loopback only. As a task's workload in its own network namespace: every address of it.
const host = process.env.FLEXIMIGRATE_WORKLOAD_HOST ?? "127.0.0.1";
server.listen(port, host, () => {
  const addr = server.address();
  const ballastMiB = ballast.reduce((n, b) => n + b.length, 0) >> 20;
  process.stdout.write(`${JSON.stringify({ port: typeof addr === "object" && addr ? addr.port : port, ...(ballastMiB ? { ballastMiB } : {}) })}\n`);
});
// The profiler owns this process through a pipe: stop when it asks, or when it dies
// (the pipe closes). Ctrl-C is the profiler's to handle: it finishes cleanly, then
// stops us. Started by an agent (stdin is /dev/null), it runs until it is stopped.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.on("SIGINT", () => {});
if (fstatSync(0).isFIFO()) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
