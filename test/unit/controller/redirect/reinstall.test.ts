// Active redirects hold across a switch reconnect: scripted switches on real
// TCP sockets drop their OpenFlow session and come back as the same datapath
// (the controller wipes their tables on set-up), and must get every active
// redirect's FLOW_MODs again (and a gradual redirect's GROUP_MOD while it is
// under way), followed by a BARRIER and a `redirect.reinstalled` event; a
// rolled-back redirect must not come back.
import { afterEach, describe, expect, it } from "vitest";
import type { FlowMod, GroupMod, OfMessage } from "../../../../src/openflow/messages.js";
import { createController, type RunningController } from "../../../../controller/app.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { injectJson, type JsonResponse, type Method } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const S1 = "0000000000000001";
const S2 = "0000000000000002";

// biome-ignore lint/suspicious/noExplicitAny: JSON events and API answers
type Json = any;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(): Promise<{ ctl: RunningController; events: Json[] }> {
  const ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 100 });
  const events: Json[] = [];
  const unsubscribe = ctl.events.subscribe((e) => events.push(e));
  cleanups.push(async () => {
    unsubscribe();
    await ctl.close();
  });
  return { ctl, events };
}

async function connected(ctl: RunningController, sw: FakeSwitch): Promise<void> {
  cleanups.push(() => sw.close());
  await sw.connect(ctl.openflowPort);
  // Set-up is done once the set-up's BARRIER was answered and the switch is listed (handed out) by the controller.
  const dpid = sw.dpid.toString(16).padStart(16, "0");
  await waitFor(
    async () => sw.received.some((m) => m.type === "barrierRequest") && (await call(ctl, "GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid),
    { what: `switch ${dpid} set up` },
  );
}

const call = (ctl: RunningController, method: Method, url: string, payload?: unknown): Promise<JsonResponse> => injectJson(ctl.http, method, url, payload);

async function disconnect(ctl: RunningController, sw: FakeSwitch, dpid: string): Promise<void> {
  sw.close();
  await waitFor(async () => !(await call(ctl, "GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid), { what: `switch ${dpid} gone` });
}

const flowMods = (msgs: OfMessage[]) => msgs.filter((m): m is FlowMod => m.type === "flowMod");
const groupMods = (msgs: OfMessage[]) => msgs.filter((m): m is GroupMod => m.type === "groupMod");
const adds = (sw: FakeSwitch, cookie: string) => flowMods(sw.received).filter((f) => f.command === "add" && f.cookie === BigInt(cookie));

function outPort(f: FlowMod | undefined): number | undefined {
  const ins = f?.instructions?.[0];
  const a = ins?.type === "applyActions" ? ins.actions.find((x) => x.type === "output") : undefined;
  return a?.type === "output" ? a.port : undefined;
}

/** Index of the controller's wipe (delete every flow) in what the switch received. */
function wipeAt(sw: FakeSwitch): number {
  return sw.received.findIndex((m) => m.type === "flowMod" && m.command === "delete" && m.tableId === 0xff && !m.cookieMask);
}

describe("redirects across a switch reconnect", () => {
  it("re-installs an active redirect's FLOW_MODs with a BARRIER and an event, but not a rolled-back one", async () => {
    const { ctl, events } = await start();
    const first = new FakeSwitch(1n, [1, 2, 3]);
    await connected(ctl, first);

    const web = await call(ctl, "POST", "/v1/redirect", { service: "web", ip: "10.0.0.100", mac: "00:00:00:00:01:00", to: { switch: S1, port: 1 } });
    expect(web.status, JSON.stringify(web.body)).toBe(200);
    const webRecord = web.body.redirects[0];
    const api = await call(ctl, "POST", "/v1/redirect", { service: "api", ip: "10.0.0.101", mac: "00:00:00:00:01:01", to: { switch: S1, port: 2 } });
    expect(api.status).toBe(200);
    const apiRecord = api.body.redirects[0];
    expect(adds(first, apiRecord.cookie)).toHaveLength(2);
    expect((await call(ctl, "POST", `/v1/redirects/${apiRecord.id}/rollback`)).status).toBe(200);
    const states = (await call(ctl, "GET", "/v1/redirects")).body.redirects.map((r: Json) => [r.id, r.state]);
    expect(states).toContainEqual([webRecord.id, "active"]);
    expect(states).toContainEqual([apiRecord.id, "rolled-back"]);

    await disconnect(ctl, first, S1);
    const again = new FakeSwitch(1n, [1, 2, 3]);
    await connected(ctl, again);
    await waitFor(() => events.some((e) => e.type === "redirect.reinstalled"), { what: "the redirect.reinstalled event" });

    // Both of web's rules, with its cookie, toward its port, after the wipe, then a BARRIER.
    const back = adds(again, webRecord.cookie);
    expect(back.map((f) => [f.priority, f.match, outPort(f)])).toEqual([
      [200, { ethType: 0x0800, ipv4Dst: "10.0.0.100" }, 1],
      [200, { ethDst: "00:00:00:00:01:00" }, 1],
    ]);
    const lastAdd = again.received.lastIndexOf(back[1] as FlowMod);
    expect(again.received.indexOf(back[0] as FlowMod)).toBeGreaterThan(wipeAt(again));
    expect(again.received.slice(lastAdd).some((m) => m.type === "barrierRequest")).toBe(true);
    // The rolled-back redirect stays gone: nothing for its cookie or its address.
    expect(adds(again, apiRecord.cookie)).toEqual([]);
    expect(flowMods(again.received).some((f) => f.command === "add" && f.match?.ipv4Dst === "10.0.0.101")).toBe(false);
    expect(events.filter((e) => e.type === "redirect.reinstalled")).toEqual([
      expect.objectContaining({ dpid: S1, redirectId: webRecord.id, service: "web", cookie: webRecord.cookie, flowMods: 2, groupMods: 0 }),
    ]);
  }, 20_000);

  it("re-installs a gradual redirect's select group and branch rules on a switch that reconnects mid-way", async () => {
    const { ctl, events } = await start();
    const s1 = new FakeSwitch(1n, [1, 2]);
    const s2 = new FakeSwitch(2n, [1, 2]);
    await connected(ctl, s1);
    await connected(ctl, s2);
    FakeSwitch.wire(s1, 2, s2, 2); // once both sockets exist: LLDP is relayed over them
    await waitFor(async () => (await call(ctl, "GET", "/v1/topology")).body.links.length === 1, { what: "the link" });

    const svc = { service: "db", ip: "10.0.0.120", mac: "00:00:00:00:02:00" };
    expect((await call(ctl, "POST", "/v1/redirect", { ...svc, to: { switch: S1, port: 1 } })).status).toBe(200);
    // Two steps with a long pause between them: the reconnect happens in the pause.
    const gradual = call(ctl, "POST", "/v1/redirect", { ...svc, to: { switch: S2, port: 1 }, strategy: "gradual", steps: 2, stepMs: 4000 });
    await waitFor(() => groupMods(s2.received).some((g) => g.command === "add" && g.groupType === "select"), { what: "the first step's group on s2" });
    const group = groupMods(s2.received).find((g) => g.command === "add") as GroupMod;
    const phase = flowMods(s2.received).filter((f) => f.command === "add" && f.priority !== undefined && f.priority > 200);
    expect(phase).toHaveLength(3);

    await disconnect(ctl, s2, S2);
    const again = new FakeSwitch(2n, [1, 2]);
    s1.peers.delete(2);
    await connected(ctl, again);
    FakeSwitch.wire(s1, 2, again, 2);
    await waitFor(() => events.some((e) => e.type === "redirect.reinstalled" && e.dpid === S2 && e.gradual === true), { what: "the gradual redirect's reinstalled event" });

    const wipe = wipeAt(again);
    const groupBack = groupMods(again.received).filter((g) => g.groupId === group.groupId && again.received.indexOf(g) > wipe);
    expect(groupBack.map((g) => g.command)).toEqual(["delete", "add"]);
    const added = groupBack[1] as GroupMod;
    expect(added.groupType).toBe("select");
    expect(added.buckets).toEqual(group.buckets); // step 1 of 2: the weights in force, 50/50
    expect(added.buckets.map((b) => b.weight)).toEqual([50, 50]);
    const phaseBack = flowMods(again.received).filter((f) => f.command === "add" && f.cookie === phase[0]?.cookie);
    expect(phaseBack.map((f) => [f.priority, f.match])).toEqual(phase.map((f) => [f.priority, f.match]));
    const at = again.received.indexOf(phaseBack[phaseBack.length - 1] as FlowMod);
    expect(again.received.indexOf(added)).toBeLessThan(again.received.indexOf(phaseBack[0] as FlowMod));
    expect(again.received.slice(at).some((m) => m.type === "barrierRequest")).toBe(true);
    const ev = events.find((e) => e.type === "redirect.reinstalled" && e.gradual === true);
    expect(ev).toMatchObject({ dpid: S2, service: "db", groupMods: 2, flowMods: 3, newWeight: 50 });

    // The redirect then finishes on the new session: plain rules, the group deleted.
    const done = await gradual;
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(ev.redirectId).toBe(done.body.redirects[0].id);
    expect(groupMods(again.received).at(-1)).toMatchObject({ command: "delete", groupId: group.groupId });
  }, 30_000);
});
