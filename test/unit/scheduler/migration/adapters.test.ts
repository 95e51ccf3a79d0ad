import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControllerClient } from "../../../../src/clients/controller.js";
import { httpProber } from "../../../../scheduler/migration/http-prober.js";
import { controllerNetwork, NO_NETWORK } from "../../../../scheduler/migration/network-adapter.js";

function controller(places: Array<{ name: string; site: string | null }>, tunnels: Array<{ name: string; site: string; state: string }>, calls: string[] = []) {
  return {
    nodes: async () => ({ nodes: places.map((p) => ({ ...p, switch: "1", port: 1 })) }),
    overlay: async () => ({ ovsdb: "", tunnels }),
    redirect: async (body: unknown) => {
      calls.push(`redirect ${JSON.stringify(body)}`);
      return { strategy: "per-service", reconfigurationMs: 2.5, redirects: [{ id: 4 }, { id: 5 }] };
    },
    rollback: async (id: number) => {
      calls.push(`rollback ${id}`);
      return {};
    },
  } as unknown as ControllerClient;
}

describe("controllerNetwork", () => {
  it("ensurePath: same site or unknown places need nothing; other sites need a working tunnel each way", async () => {
    const same = controllerNetwork(controller([{ name: "e", site: "a" }, { name: "c", site: "a" }], []));
    expect(await same.ensurePath("e", "c")).toMatch(/share site a/);
    const unknown = controllerNetwork(controller([{ name: "e", site: "a" }], []));
    expect(await unknown.ensurePath("e", "c")).toMatch(/no place for c/);
    const up = controllerNetwork(controller([{ name: "e", site: "a" }, { name: "c", site: "b" }], [
      { name: "to-b", site: "b", state: "up" },
      { name: "to-a", site: "a", state: "up" },
    ]));
    expect(await up.ensurePath("e", "c")).toBe("overlay a <-> b up (to-b, to-a)");
    const half = controllerNetwork(controller([{ name: "e", site: "a" }, { name: "c", site: "b" }], [
      { name: "to-b", site: "b", state: "up" },
      { name: "to-a", site: "a", state: "error" },
    ]));
    await expect(half.ensurePath("e", "c")).rejects.toThrow("no working overlay tunnel toward site a");
  });

  it("redirect answers the ids and time; rollback goes newest first", async () => {
    const calls: string[] = [];
    const net = controllerNetwork(controller([], [], calls));
    const order = { service: "t-1", ip: "10.77.0.2", mac: "02:00:0a:4d:00:02", to: { switch: "2", port: 7 }, strategy: "per-service" as const };
    expect(await net.redirect(order)).toEqual({ reconfigurationMs: 2.5, redirectIds: [4, 5] });
    await net.rollbackRedirects([4, 5]);
    expect(calls.slice(1)).toEqual(["rollback 5", "rollback 4"]);
    expect(NO_NETWORK.configured).toBe(false);
  });
});

describe("httpProber", () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      res.statusCode = req.url === "/ok" || hits > 2 ? 200 : 503;
      res.end("x");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("answers ok on a 2xx, retrying a bounded number of times", async () => {
    const prober = httpProber({ attempts: 5, delayMs: 1 });
    expect(await prober.probe({ ip: "127.0.0.1", port, path: "/ok" })).toMatchObject({ ok: true });
    hits = 0;
    expect(await prober.probe({ ip: "127.0.0.1", port, path: "/flaky" })).toMatchObject({ ok: true, detail: expect.stringMatching(/attempt 3/) });
    const never = httpProber({ attempts: 2, delayMs: 1 });
    hits = -100;
    expect(await never.probe({ ip: "127.0.0.1", port, path: "/down" })).toEqual({ ok: false, detail: `GET http://127.0.0.1:${port}/down failed 2 times (last: answered 503)` });
  });
});
