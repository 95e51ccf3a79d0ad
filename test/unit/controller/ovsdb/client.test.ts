// The client against a fake ovsdb-server on a TCP port (a boundary fake):
// framing, echo probes, error mapping and a dropped connection.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OvsdbClient } from "../../../../controller/ovsdb/client.js";
import { JsonStreamSplitter } from "../../../../controller/ovsdb/jsonrpc.js";

type Handler = (msg: Record<string, unknown>, sock: Socket) => void;
let server: Server | undefined;
let client: OvsdbClient | undefined;

async function fakeServer(handler: Handler): Promise<{ target: string; seen: Record<string, unknown>[] }> {
  const seen: Record<string, unknown>[] = [];
  server = createServer((sock) => {
    const splitter = new JsonStreamSplitter();
    sock.on("data", (d) => {
      for (const m of splitter.push(d) as Record<string, unknown>[]) {
        seen.push(m);
        handler(m, sock);
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { target: `tcp:127.0.0.1:${port}`, seen };
}

afterEach(async () => {
  client?.close();
  client = undefined;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe("OvsdbClient", () => {
  it("matches replies by id even when they arrive byte by byte and out of order", async () => {
    const { target } = await fakeServer((m, sock) => {
      if (m.method !== "list_dbs") return;
      // Delay the first request's reply so replies cross.
      const reply = Buffer.from(JSON.stringify({ id: m.id, result: [`db${m.id}`], error: null }));
      setTimeout(() => { for (const b of reply) sock.write(Buffer.from([b])); }, m.id === 1 ? 30 : 0);
    });
    client = await OvsdbClient.connect(target);
    const [a, b] = await Promise.all([client.listDbs(), client.listDbs()]);
    expect(a).toEqual(["db1"]);
    expect(b).toEqual(["db2"]);
  });

  it("answers the server's echo probe with the same params and id", async () => {
    let echoed: unknown;
    const { target } = await fakeServer((m, sock) => {
      if (m.method === "list_dbs") sock.write(JSON.stringify({ method: "echo", params: ["ping", 7], id: "echo" }));
      if (m.id === "echo") {
        echoed = m;
        sock.write(JSON.stringify({ id: 1, result: ["Open_vSwitch"], error: null }));
      }
    });
    client = await OvsdbClient.connect(target);
    expect(await client.listDbs()).toEqual(["Open_vSwitch"]);
    expect(echoed).toEqual({ result: ["ping", 7], error: null, id: "echo" });
  });

  it("turns a failed operation into an error naming the op, and a JSON-RPC error into a rejection", async () => {
    const { target, seen } = await fakeServer((m, sock) => {
      if (m.method === "transact") sock.write(JSON.stringify({ id: m.id, result: [{}, { error: "constraint violation", details: "duplicate name" }], error: null }));
      if (m.method === "get_schema") sock.write(JSON.stringify({ id: m.id, result: null, error: "unknown database" }));
    });
    client = await OvsdbClient.connect(target);
    await expect(client.transact([{ op: "select", table: "Bridge", where: [] }, { op: "insert", table: "Port", row: {} }])).rejects.toThrow(
      /op 1 \(insert Port\): constraint violation: duplicate name/,
    );
    expect(seen[0]).toMatchObject({ method: "transact", params: ["Open_vSwitch", { op: "select", table: "Bridge", where: [] }, { op: "insert", table: "Port", row: {} }] });
    await expect(client.request("get_schema", ["nope"])).rejects.toThrow(/unknown database/);
  });

  it("reads interface rows into plain records", async () => {
    const { target } = await fakeServer((m, sock) => {
      sock.write(
        JSON.stringify({
          id: m.id,
          error: null,
          result: [{ rows: [{ _uuid: ["uuid", "u1"], name: "vx0", type: "vxlan", ofport: 3, options: ["map", [["key", "9"], ["remote_ip", "192.0.2.2"]]], error: ["set", []] }] }],
        }),
      );
    });
    client = await OvsdbClient.connect(target);
    expect(await client.listInterfaces()).toEqual([{ uuid: "u1", name: "vx0", type: "vxlan", ofport: 3, options: { key: "9", remote_ip: "192.0.2.2" }, error: null }]);
  });

  it("rejects pending requests when the server hangs up, and fails to connect to nothing", async () => {
    const { target } = await fakeServer((_m, sock) => sock.destroy());
    client = await OvsdbClient.connect(target);
    await expect(client.echo()).rejects.toThrow(/closed/);
    await expect(client.echo()).rejects.toThrow(/closed/);
    await expect(OvsdbClient.connect("unix:/nonexistent/fmn-db.sock")).rejects.toThrow(/ENOENT/);
  });
});
