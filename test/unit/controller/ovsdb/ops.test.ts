import { describe, expect, it } from "vitest";
import { addBridgeOps, addPortOps } from "../../../../controller/ovsdb/bridge.js";
import { parseTarget } from "../../../../controller/ovsdb/client.js";
import { mapValues, optionalInteger, ovsMap, setValues, uuidOf } from "../../../../controller/ovsdb/datum.js";
import { vxlanPortOps } from "../../../../controller/ovsdb/vxlan.js";

describe("OVSDB data notation", () => {
  it("reads sets, maps, uuids and optional integers", () => {
    expect(setValues(["set", [1, 2]])).toEqual([1, 2]);
    expect(setValues("OpenFlow13")).toEqual(["OpenFlow13"]);
    expect(mapValues(["map", [["key", "42"], ["remote_ip", "10.0.0.2"]]])).toEqual({ key: "42", remote_ip: "10.0.0.2" });
    expect(ovsMap({ a: "1" })).toEqual(["map", [["a", "1"]]]);
    expect(uuidOf(["uuid", "abc"])).toBe("abc");
    expect(uuidOf("abc")).toBeNull();
    expect(optionalInteger(["set", []])).toBeNull();
    expect(optionalInteger(7)).toBe(7);
  });
});

describe("parseTarget", () => {
  it("accepts unix and tcp targets and rejects others", () => {
    expect(parseTarget("unix:/var/run/openvswitch/db.sock")).toEqual({ path: "/var/run/openvswitch/db.sock" });
    expect(parseTarget("tcp:127.0.0.1:6640")).toEqual({ host: "127.0.0.1", port: 6640 });
    expect(() => parseTarget("tcp:127.0.0.1")).toThrow(/tcp:HOST:PORT/);
    expect(() => parseTarget("ssl:x:1")).toThrow(/expected unix/);
  });
});

describe("transactions", () => {
  it("adds a netdev OpenFlow13 bridge with its internal port, guarded against a concurrent creator", () => {
    const ops = addBridgeOps("fmn-br0", { controller: "tcp:127.0.0.1:6653", failMode: "secure" });
    expect(ops[0]).toMatchObject({ op: "wait", table: "Bridge", where: [["name", "==", "fmn-br0"]], until: "==", rows: [] });
    const bridge = ops.find((o) => o.table === "Bridge" && o.op === "insert")!;
    expect(bridge.row).toEqual({
      name: "fmn-br0",
      ports: ["set", [["named-uuid", "port"]]],
      datapath_type: "netdev",
      protocols: ["set", ["OpenFlow13"]],
      fail_mode: "secure",
      controller: ["set", [["named-uuid", "ctl"]]],
    });
    expect(ops.find((o) => o.table === "Controller")?.row).toEqual({ target: "tcp:127.0.0.1:6653" });
    expect(ops.at(-1)).toEqual({ op: "mutate", table: "Open_vSwitch", where: [], mutations: [["bridges", "insert", ["set", [["named-uuid", "br"]]]]] });
  });

  it("adds a vxlan interface with remote_ip and key on a new port of the named bridge", () => {
    const ops = vxlanPortOps("fmn-br0", "fmn-vx0", { remoteIp: "192.0.2.2", key: 5001, localIp: "192.0.2.1", dstPort: 4790, ofportRequest: 10 });
    expect(ops).toEqual([
      {
        op: "insert",
        table: "Interface",
        row: { type: "vxlan", options: ["map", [["remote_ip", "192.0.2.2"], ["key", "5001"], ["local_ip", "192.0.2.1"], ["dst_port", "4790"]]], ofport_request: 10, name: "fmn-vx0" },
        "uuid-name": "iface",
      },
      { op: "insert", table: "Port", row: { name: "fmn-vx0", interfaces: ["set", [["named-uuid", "iface"]]] }, "uuid-name": "port" },
      { op: "mutate", table: "Bridge", where: [["name", "==", "fmn-br0"]], mutations: [["ports", "insert", ["set", [["named-uuid", "port"]]]]] },
    ]);
    expect(vxlanPortOps("b", "p", { remoteIp: "flow", key: "flow" })[0]!.row).toMatchObject({ options: ["map", [["remote_ip", "flow"], ["key", "flow"]]] });
  });

  it("rejects bad tunnel options and port names before talking to OVSDB", () => {
    expect(() => vxlanPortOps("b", "p", { remoteIp: "10.0.0.300", key: 1 })).toThrow(/remoteIp/);
    expect(() => vxlanPortOps("b", "p", { remoteIp: "10.0.0.1", key: 1 << 24 })).toThrow(/key/);
    expect(() => vxlanPortOps("b", "p", { remoteIp: "10.0.0.1", key: 1, dstPort: 0 })).toThrow(/dstPort/);
    expect(() => vxlanPortOps("b", "p", { remoteIp: "10.0.0.1", key: 1, localIp: "x" })).toThrow(/localIp/);
    expect(() => addPortOps("b", "a-name-longer-than-15")).toThrow(/port name/);
  });
});
