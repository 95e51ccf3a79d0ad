import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControllerClient } from "../../../../src/clients/controller.js";
import { httpProber } from "../../../../scheduler/migration/http-prober.js";
import { controllerNetwork, NO_NETWORK } from "../../../../scheduler/migration/network-adapter.js";

type Link = { src: { dpid: string; port: number }; dst: { dpid: string; port: number } };
const link = (a: string, b: string): Link => ({ src: { dpid: a, port: 1 }, dst: { dpid: b, port: 2 } });

function controller(links: Link[], calls: string[] = [], settled = true) {
  return {
    topology: async () => ({ switches: [], settled, links, hosts: 0 }),
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
  const e = { node: "edge1", dpid: "0a" };
  const c = { node: "cloud1", dpid: "0c" };
  it("ensurePath: a path of discovered links between the two bridges, or a failure that says what the controller knows", async () => {
    expect(await controllerNetwork(controller([link("0a", "0b"), link("0b", "0c")])).ensurePath(e, c)).toBe("path edge1 -> cloud1 over 2 link(s): 0a -> 0b -> 0c");
    expect(await controllerNetwork(controller([])).ensurePath(e, { node: "edge9", dpid: "0a" })).toMatch(/share switch 0a/);
    expect(await controllerNetwork(controller([])).ensurePath(e, { node: "cloud1", dpid: null })).toMatch(/cloud1 attaches no bridge/);
    await expect(controllerNetwork(controller([link("0a", "0b")], [], false)).ensurePath(e, c)).rejects.toThrow(
      "the controller knows no path between edge1's switch 0a and cloud1's switch 0c (1 links, discovery not settled yet)",
    );
  });

  it("redirect answers the ids and time; rollback goes newest first", async () => {
    const calls: string[] = [];
    const net = controllerNetwork(controller([], calls));
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
