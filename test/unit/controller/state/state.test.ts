// The controller's durable state: the pure records (diff, compaction, the
// shape check of a line read back), the journal (fsync'd lines, a torn last
// line dropped), and a restart of the whole controller on the same state
// directory: DNS records, named nodes, the redirect history and tunnels come
// back, and a switch that connects to the new controller gets the active
// redirect's flows through the one switch-ready path.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../../../src/http/api-error.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { STRICT_AJV } from "../../../../src/http/validation.js";
import { dnsRoutes } from "../../../../controller/api/dns.js";
import { type NodePlace, redirectRoutes } from "../../../../controller/api/redirects.js";
import { DnsRecords } from "../../../../controller/dns/records.js";
import type { RedirectExecutor } from "../../../../controller/redirect/executor.js";
import { RedirectStore } from "../../../../controller/redirect/store.js";
import type { FlowMod } from "../../../../src/openflow/messages.js";
import { createController, type RunningController } from "../../../../controller/app.js";
import { CONTROLLER_STATE_FILE, ControllerJournal } from "../../../../controller/state/journal.js";
import { type ControllerSnapshot, ControllerTables, isControllerChange } from "../../../../controller/state/records.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { injectJson, type Json, type Method } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fmdur-ctl-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const empty = (): ControllerSnapshot => ({ dns: [], redirects: [], nodes: [], tunnels: [] });
const rec = (name: string, ip: string) => ({ name, ip, ttl: 5, updatedAt: "2026-01-01T00:00:00.000Z" });

describe("controller state records", () => {
  it("diffs the live parts against what is written: puts of new or changed records, deletes of gone ones", () => {
    const t = new ControllerTables();
    const now = empty();
    now.dns.push(rec("a.z", "10.0.0.1"), rec("b.z", "10.0.0.2"));
    now.nodes.push({ name: "edge1", node: { dpid: "01", port: 1 } });
    const first = t.diff(now);
    expect(first.map((c) => `${c.kind}:${c.key}`)).toEqual(["dns:a.z", "dns:b.z", "node:edge1"]);
    for (const c of first) t.apply(c);
    expect(t.diff(now)).toEqual([]);
    now.dns = [rec("b.z", "10.0.0.9")];
    expect(t.diff(now)).toEqual([
      { kind: "dns", key: "b.z", value: rec("b.z", "10.0.0.9") },
      { kind: "dns", key: "a.z", value: null },
    ]);
  });

  it("keeps the order records were made in, so a rollback finds the redirect before", () => {
    const t = new ControllerTables();
    const r = (id: number, state: string) => ({ id, service: "web", cookie: `0x${id}`, state }) as Json;
    for (const c of t.diff({ ...empty(), redirects: [r(1, "active")] })) t.apply(c);
    for (const c of t.diff({ ...empty(), redirects: [r(1, "superseded"), r(2, "active")] })) t.apply(c);
    expect(t.snapshot().redirects.map((x) => [x.id, x.state])).toEqual([
      [1, "superseded"],
      [2, "active"],
    ]);
    // Compaction writes the same records, in the same order.
    const again = new ControllerTables();
    for (const c of t.changes()) again.apply(c);
    expect(again.snapshot()).toEqual(t.snapshot());
  });

  it("refuses a line whose records do not have their shape", () => {
    expect(isControllerChange({ kind: "dns", key: "a.z", value: rec("a.z", "10.0.0.1") })).toBe(true);
    expect(isControllerChange({ kind: "dns", key: "b.z", value: rec("a.z", "10.0.0.1") })).toBe(false);
    expect(isControllerChange({ kind: "node", key: "n", value: null })).toBe(true);
    expect(isControllerChange({ kind: "node", key: "n", value: { dpid: 1, port: 1 } })).toBe(false);
    expect(isControllerChange({ kind: "other", key: "n", value: null })).toBe(false);
    expect(isControllerChange({ kind: "redirect", key: "3", value: [] })).toBe(false);
  });
});

describe("controller state journal", () => {
  it("writes each sync as one line, reopens to the same records, and drops a torn last line", async () => {
    const dir = tempDir();
    const live = empty();
    const { journal, existed } = await ControllerJournal.open(dir, () => live);
    expect(existed).toBe(false);
    live.dns.push(rec("a.z", "10.0.0.1"));
    await journal.sync();
    await journal.sync(); // nothing changed: nothing written
    live.nodes.push({ name: "n1", node: { dpid: "02", port: 3, site: "eu" } });
    await journal.sync();
    expect(journal.batches).toBe(2);
    expect(readFileSync(path.join(dir, CONTROLLER_STATE_FILE), "utf8").trim().split("\n")).toHaveLength(2);
    await journal.close();

    appendFileSync(path.join(dir, CONTROLLER_STATE_FILE), '{"changes":[{"kind":"dns","key":"c.z","val');
    const again = await ControllerJournal.open(dir, empty);
    expect(again.existed).toBe(true);
    expect(again.dropped).toEqual([expect.stringContaining("torn last line")]);
    expect(again.snapshot).toEqual({ ...live });
    await again.journal.close();
  });
});

describe("a controller restart on the same --state-dir", () => {
  const call = (ctl: RunningController, method: Method, url: string, payload?: unknown) => injectJson(ctl.http, method, url, payload);
  const S1 = "0000000000000001";

  async function start(stateDir: string): Promise<RunningController> {
    const ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 100, stateDir });
    cleanups.push(() => ctl.close());
    return ctl;
  }

  async function connected(ctl: RunningController, sw: FakeSwitch): Promise<void> {
    cleanups.push(() => sw.close());
    await sw.connect(ctl.openflowPort);
    await waitFor(async () => (await call(ctl, "GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === S1), { what: "the switch set up" });
  }

  it("brings back DNS records, named nodes and the redirect history, and a switch gets the redirect's flows on connect", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const sw = new FakeSwitch(1n, [1, 2, 3]);
    await connected(first, sw);
    expect((await call(first, "PUT", "/v1/dns/records/db", { ip: "10.0.0.7", ttl: 30 })).status).toBe(201);
    expect((await call(first, "PUT", "/v1/dns/records/gone", { ip: "10.0.0.8" })).status).toBe(201);
    expect((await call(first, "DELETE", "/v1/dns/records/gone")).status).toBe(200);
    expect((await call(first, "PUT", "/v1/nodes/cloud1", { switch: S1, port: 2, site: "cloud" })).status).toBe(200);
    const one = await call(first, "POST", "/v1/redirect", { service: "web", ip: "10.0.0.100", mac: "00:00:00:00:01:00", to: { switch: S1, port: 1 } });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    const two = await call(first, "POST", "/v1/redirect", { service: "web", ip: "10.0.0.100", mac: "00:00:00:00:01:00", to: { node: "cloud1" } });
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    const before = {
      dns: (await call(first, "GET", "/v1/dns")).body,
      nodes: (await call(first, "GET", "/v1/nodes")).body,
      redirects: (await call(first, "GET", "/v1/redirects")).body,
    };
    sw.close();
    await first.close();

    const second = await start(dir);
    expect((await call(second, "GET", "/v1/dns")).body).toEqual(before.dns);
    expect((await call(second, "GET", "/v1/nodes")).body).toEqual(before.nodes);
    expect((await call(second, "GET", "/v1/redirects")).body).toEqual(before.redirects);
    expect(before.dns.records.map((r: Json) => r.name)).toEqual(["db.svc.fleximigrate.local", "web.svc.fleximigrate.local"]);

    // The same datapath connects to the new controller: the active redirect's flows come with its set-up.
    const again = new FakeSwitch(1n, [1, 2, 3]);
    await connected(second, again);
    const cookie = BigInt(two.body.redirects[0].cookie);
    await waitFor(async () => again.received.some((m) => m.type === "flowMod" && m.command === "add" && m.cookie === cookie), { what: "the redirect's flows on the new session" });
    const adds = again.received.filter((m): m is FlowMod => m.type === "flowMod" && m.command === "add" && m.cookie === cookie);
    expect(adds.map((f) => f.match?.ipv4Dst ?? f.match?.ethDst).sort()).toEqual(["00:00:00:00:01:00", "10.0.0.100"]);
    expect(again.received.some((m) => m.type === "flowMod" && m.command === "add" && m.cookie === BigInt(one.body.redirects[0].cookie))).toBe(false);

    // The history is whole: rolling the active redirect back restores the one before; new ids continue after the old.
    const back = await call(second, "POST", `/v1/redirects/${two.body.redirects[0].id}/rollback`);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.redirect.to).toEqual({ dpid: S1, port: 1 });
    expect(back.body.redirect.id).toBe(two.body.redirects[0].id + 1);
  });
});

describe("a journal write that fails", () => {
  it("answers 503 and puts a DNS record or named node back as it was", async () => {
    const records = new DnsRecords();
    records.set("db", "10.0.0.1");
    const nodes = new Map<string, NodePlace>([["edge1", { dpid: "0000000000000001", port: 1 }]]);
    let failing = true;
    const persist = async () => {
      if (failing) throw new ApiError(503, "UNAVAILABLE", "controller state write failed: ENOSPC");
    };
    const app = Fastify({ logger: false, ajv: STRICT_AJV });
    installErrorHandling(app, {});
    await app.register(dnsRoutes, { records, persist });
    await app.register(redirectRoutes, { executor: {} as RedirectExecutor, store: new RedirectStore(), nodes, persist });
    cleanups.push(() => app.close());
    const call = (method: Method, url: string, payload?: unknown) => injectJson(app, method, url, payload);

    for (const [method, url, body] of [
      ["PUT", "/v1/dns/records/db", { ip: "10.0.0.2" }],
      ["PUT", "/v1/dns/records/web", { ip: "10.0.0.3" }],
      ["DELETE", "/v1/dns/records/db", undefined],
      ["PUT", "/v1/nodes/edge1", { switch: "2", port: 3 }],
      ["PUT", "/v1/nodes/cloud1", { switch: "2", port: 3 }],
    ] as const) {
      const res = await call(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(503);
      expect(res.body).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/ENOSPC; nothing was changed/) });
    }
    expect(records.list().map((r) => [r.name, r.ip])).toEqual([["db.svc.fleximigrate.local", "10.0.0.1"]]);
    expect([...nodes]).toEqual([["edge1", { dpid: "0000000000000001", port: 1 }]]);
    failing = false;
    expect((await call("PUT", "/v1/dns/records/db", { ip: "10.0.0.2" })).status).toBe(200);
    expect(records.get("db")?.ip).toBe("10.0.0.2");
  });
});
