// The attacks of issue 13 on this half, against real processes over real
// mutual TLS: the controller, the scheduler (calling the controller with its
// certificate) and an agent (registering and reporting with its own), all
// started from the CLI with --tls-dir, a CA made here with openssl. Refused:
// a forged node registration with 4096 cores (no credentials; another agent's
// certificate), a foreign task deletion (another device's token; none), an
// unauthenticated redirect and DNS change (and by roles that may not), a
// cross-origin WebSocket, a certificate of another CA, plain HTTP. Each
// refusal is checked to have changed nothing; the allowed calls still work.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientTls, tlsFetch } from "../../../../src/http/tls-fetch.js";
import type { Role } from "../../../../src/trust/identity.js";
import { ensureTrustDir, initCa, issueCertificate } from "../../../../src/trust/pki.js";
import { loadTlsMaterial, readCaKey } from "../../../../src/trust/tls-dir.js";
import { signToken } from "../../../../src/trust/token.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { waitFor } from "../../../helpers/wait.js";

const SCHEDULER_PORT = 45110;
const dir = mkdtempSync(path.join(tmpdir(), "fma-mtls-"));
const tlsDir = path.join(dir, "tls");
const children: TrackedChild[] = [];
let schedulerUrl = "";
let controllerUrl = "";
let agentUrl = "";

const certOf = (role: Role, name: string): ClientTls => {
  const m = loadTlsMaterial(tlsDir, { role, name });
  return { ca: m.ca, cert: m.cert, key: m.key };
};
const tokenOf = (role: "device" | "admin" | "viewer", name: string): ClientTls => ({
  ca: loadTlsMaterial(tlsDir, { role: "admin", name: "admin" }).ca,
  token: signToken(readCaKey(tlsDir), { role, name, iat: Math.floor(Date.now() / 1000) }),
});
const anonymous = (): ClientTls => ({ ca: loadTlsMaterial(tlsDir, { role: "admin", name: "admin" }).ca });

// biome-ignore lint/suspicious/noExplicitAny: the answers are read loosely, field by field
type Answer = { status: number; json: any };

async function call(as: ClientTls, method: string, url: string, body?: unknown): Promise<Answer> {
  const res = await tlsFetch(as)(url, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function start(args: string[]): TrackedChild {
  const child = spawnChild(process.execPath, [CLI_PATH, ...args]);
  children.push(child);
  return child;
}

beforeAll(async () => {
  ensureTrustDir(tlsDir, [
    { role: "scheduler", name: "scheduler" },
    { role: "controller", name: "controller" },
    { role: "admin", name: "admin" },
    { role: "agent", name: "edge1" },
    { role: "agent", name: "edge2" },
  ]);
  const ctl = start(["controller", "--openflow-port", "0", "--http-port", "0", "--dns-port", "0", "--state-dir", path.join(dir, "ctl"), "--quiet", "--tls-dir", tlsDir, "--allow-origin", "https://dash.example"]);
  const ports = JSON.parse(await ctl.line((l) => l.startsWith("{"), 30_000)) as { httpPort: number; scheme: string };
  expect(ports.scheme).toBe("https");
  controllerUrl = `https://127.0.0.1:${ports.httpPort}`;
  const sch = start(["scheduler", "--port", String(SCHEDULER_PORT), "--state-dir", path.join(dir, "sch"), "--controller", controllerUrl, "--tls-dir", tlsDir]);
  schedulerUrl = (await sch.line((l) => l.startsWith("scheduler listening on"), 30_000)).split(" ").pop()!;
  expect(schedulerUrl).toBe(`https://127.0.0.1:${SCHEDULER_PORT}`);
  // An agent too far away for any budget: tasks go to the agent-less node below and no workload runs.
  const agent = start(["agent", "--node", "edge1", "--tier", "edge", "--listen", "127.0.0.1:0", "--scheduler", schedulerUrl, "--cpus", "0.01", "--net-delay-ms", "100000", "--report-ms", "300", "--work-dir", path.join(dir, "edge1"), "--tls-dir", tlsDir]);
  agentUrl = (JSON.parse(await agent.line((l) => l.includes('"listening"'), 60_000)) as { listening: string }).listening;
  expect(agentUrl).toMatch(/^https:/);
}, 120_000);

afterAll(async () => {
  for (const c of children.reverse()) await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

const admin = () => certOf("admin", "admin");
const nodes = async () => (await call(admin(), "GET", `${schedulerUrl}/v1/nodes`)).json as Array<{ name: string; cpus: number; reportedAt?: string }>;

describe("services over mutual TLS", () => {
  it("the agent registered and reports with its certificate", async () => {
    const edge1 = await waitFor(async () => (await nodes()).find((n) => n.name === "edge1" && n.reportedAt), { timeoutMs: 30_000, what: "edge1's report" });
    expect(edge1.cpus).toBe(0.01);
  }, 40_000);

  it("refuses a forged node registration with 4096 cores: no credentials 401, another agent's certificate 403, nothing changed", async () => {
    const forged = { name: "edge1", tier: "edge", cpus: 4096, netDelayMs: 0, endpoint: "https://127.0.0.1:9" };
    const before = await nodes();
    expect((await call(anonymous(), "POST", `${schedulerUrl}/v1/nodes`, forged)).status).toBe(401);
    expect((await call(anonymous(), "POST", `${schedulerUrl}/v1/nodes`, { ...forged, name: "evil" })).status).toBe(401);
    const other = await call(certOf("agent", "edge2"), "POST", `${schedulerUrl}/v1/nodes`, forged);
    expect(other.status).toBe(403);
    expect(other.json.message).toBe("agent edge2 may not act for edge1");
    expect((await call(tokenOf("device", "cam-1"), "POST", `${schedulerUrl}/v1/nodes`, { ...forged, name: "cam" })).status).toBe(403);
    expect((await call(certOf("agent", "edge2"), "PUT", `${schedulerUrl}/v1/nodes/edge1/report`, { cpu: { usage: 0, cores: 4096 } })).status).toBe(403);
    const after = await nodes();
    expect(after.map((n) => [n.name, n.cpus])).toEqual(before.map((n) => [n.name, n.cpus]));
    expect(after.find((n) => n.name === "edge1")?.cpus).toBe(0.01);
  });

  it("refuses a foreign task deletion: another device's token 403, none 401; the owner may", async () => {
    expect((await call(admin(), "POST", `${schedulerUrl}/v1/nodes`, { name: "cloud9", tier: "cloud", cpus: 8, netDelayMs: 5 })).status).toBe(201);
    const placed = await call(tokenOf("device", "cam-1"), "POST", `${schedulerUrl}/v1/tasks`, { device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 5000, priority: 1 });
    expect(placed.status, JSON.stringify(placed.json)).toBe(201);
    const id = placed.json.task.id as string;
    expect((await call(tokenOf("device", "cam-2"), "DELETE", `${schedulerUrl}/v1/tasks/${id}`)).status).toBe(403);
    expect((await call(anonymous(), "DELETE", `${schedulerUrl}/v1/tasks/${id}`)).status).toBe(401);
    expect((await call(certOf("agent", "edge1"), "DELETE", `${schedulerUrl}/v1/tasks/${id}`)).status).toBe(403);
    expect((await call(admin(), "GET", `${schedulerUrl}/v1/tasks/${id}`)).status).toBe(200);
    expect((await call(tokenOf("device", "cam-2"), "POST", `${schedulerUrl}/v1/tasks`, { device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 5000, priority: 1 })).status).toBe(403);
    expect((await call(tokenOf("device", "cam-1"), "DELETE", `${schedulerUrl}/v1/tasks/${id}`)).status).toBe(200);
  });

  it("refuses an unauthenticated redirect and DNS change, and the roles that may not; the scheduler's certificate may", async () => {
    const dns = async () => (await call(admin(), "GET", `${controllerUrl}/v1/dns`)).json;
    const before = await dns();
    const redirect = { service: "web", ip: "10.0.0.5", mac: "00:00:00:00:00:05", to: { switch: "0x2", port: 3 } };
    expect((await call(anonymous(), "POST", `${controllerUrl}/v1/redirect`, redirect)).status).toBe(401);
    expect((await call(anonymous(), "PUT", `${controllerUrl}/v1/dns/records/web`, { ip: "10.6.6.6" })).status).toBe(401);
    for (const who of [tokenOf("device", "cam-1"), tokenOf("viewer", "dash"), certOf("agent", "edge1")]) {
      expect((await call(who, "POST", `${controllerUrl}/v1/redirect`, redirect)).status).toBe(403);
      expect((await call(who, "PUT", `${controllerUrl}/v1/dns/records/web`, { ip: "10.6.6.6" })).status).toBe(403);
      expect((await call(who, "DELETE", `${controllerUrl}/v1/dns/records/web`)).status).toBe(403);
    }
    expect(await dns()).toEqual(before);
    expect((await call(certOf("scheduler", "scheduler"), "PUT", `${controllerUrl}/v1/dns/records/web`, { ip: "10.0.0.7" })).status).toBeLessThan(300);
    expect(JSON.stringify(await dns())).toContain("10.0.0.7");
  });

  it("refuses a cross-origin WebSocket and one without credentials; takes an allowed origin with a certificate", async () => {
    const open = (url: string, tls: ClientTls, origin?: string) =>
      new Promise<number>((resolve) => {
        const s = new WebSocket(`${url.replace(/^https/, "wss")}/v1/events`, { ca: tls.ca, ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}), ...(origin ? { origin } : {}) });
        s.on("open", () => {
          s.terminate();
          resolve(101);
        });
        s.on("unexpected-response", (_req, res) => {
          resolve(res.statusCode ?? 0);
          s.terminate();
        });
        s.on("error", () => resolve(-1));
      });
    expect(await open(schedulerUrl, admin(), "https://evil.example")).toBe(403);
    expect(await open(controllerUrl, admin(), "https://evil.example")).toBe(403);
    expect(await open(agentUrl, admin(), "https://evil.example")).toBe(403);
    expect(await open(controllerUrl, anonymous(), "https://dash.example")).toBe(401);
    expect(await open(controllerUrl, admin(), "https://dash.example")).toBe(101);
    expect(await open(agentUrl, certOf("scheduler", "scheduler"))).toBe(101);
    expect(await open(agentUrl, tokenOf("device", "cam-1"))).toBe(401); // a token goes in a header; none sent here
  });

  it("refuses a certificate of another CA, and speaks no plain HTTP", async () => {
    const rogueDir = path.join(dir, "rogue");
    initCa(rogueDir);
    issueCertificate(rogueDir, { role: "admin", name: "admin" });
    const rogue = loadTlsMaterial(rogueDir, { role: "admin", name: "admin" });
    const res = await call({ ca: loadTlsMaterial(tlsDir, { role: "admin", name: "admin" }).ca, cert: rogue.cert, key: rogue.key }, "DELETE", `${schedulerUrl}/v1/nodes/edge1`);
    expect(res.status).toBe(401);
    expect(res.json.message).toMatch(/client certificate refused/);
    expect((await nodes()).some((n) => n.name === "edge1")).toBe(true);
    await expect(fetch(`http://127.0.0.1:${SCHEDULER_PORT}/v1/nodes`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status)).rejects.toThrow();
  });
});
