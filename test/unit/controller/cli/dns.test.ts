// `fleximigrate dns` against the real DNS API plugin (fastify on port 0):
// the command and the API agree on routes and payloads.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dnsRoutes } from "../../../../controller/api/dns.js";
import { command } from "../../../../controller/cli/dns.js";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { captureStdout } from "../../../helpers/stdout.js";

let app: FastifyInstance;
let base: string;
const records = new DnsRecords();

beforeAll(async () => {
  app = Fastify();
  await app.register(dnsRoutes, { records });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await app.close();
});

async function run(...args: string[]): Promise<string> {
  const { code, out } = await captureStdout(() => command.run([...args, "--controller", base]));
  expect(code).toBe(0);
  return out;
}

describe("fleximigrate dns with the real API", () => {
  it("sets, lists, rejects a bad address without change, and deletes", async () => {
    expect(await run("set", "web", "10.0.0.5", "--ttl", "3")).toBe("web.svc.fleximigrate.local -> 10.0.0.5 (TTL 3s)\n");
    expect(records.get("web")).toMatchObject({ ip: "10.0.0.5", ttl: 3 });
    expect(await run()).toMatch(/web\.svc\.fleximigrate\.local\s+10\.0\.0\.5\s+3\s+\d+s ago/);
    expect(JSON.parse(await run("--json")).records).toEqual(records.list());
    await expect(command.run(["set", "web", "10.0.0.500", "--controller", base])).rejects.toThrow(/answered 400: '10\.0\.0\.500' is not an IPv4 address/);
    expect(records.get("web")?.ip).toBe("10.0.0.5");
    expect(await run("delete", "web.svc.fleximigrate.local")).toBe("deleted web.svc.fleximigrate.local (was 10.0.0.5)\n");
    expect(records.size).toBe(0);
    await expect(command.run(["delete", "web", "--controller", base])).rejects.toThrow(/answered 404: no record named web/);
  });
});
