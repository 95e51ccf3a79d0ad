import { describe, expect, it } from "vitest";
import { parseEtcdUrl, parseStoreFlag } from "../../../../src/etcd/endpoints.js";

describe("parseEtcdUrl", () => {
  it("reads one member or several, IPv6 in brackets", () => {
    expect(parseEtcdUrl("etcd://127.0.0.1:2379")).toEqual({ hosts: ["http://127.0.0.1:2379"] });
    expect(parseEtcdUrl("etcd://a.example:2379,b:2380,[::1]:2381")).toEqual({ hosts: ["http://a.example:2379", "http://b:2380", "http://[::1]:2381"] });
  });

  it.each([
    ["http://127.0.0.1:2379", /expected etcd:\/\/HOST:PORT/],
    ["etcd://", /expected etcd:\/\//],
    ["etcd://host", /member 1 'host' is not HOST:PORT/],
    ["etcd://host:0", /port in 1-65535/],
    ["etcd://host:70000", /port in 1-65535/],
    ["etcd://a:1,b", /member 2 'b'/],
    ["etcd://a:1,a:1", /repeat/],
    ["etcd://a b:1", /member 1/],
  ])("refuses %s", (raw, why) => {
    expect(() => parseEtcdUrl(raw)).toThrow(why);
  });
});

describe("parseStoreFlag", () => {
  it("keeps the embedded default and reads etcd URLs", () => {
    expect(parseStoreFlag("embedded")).toEqual({ kind: "embedded" });
    expect(parseStoreFlag("etcd://h:1")).toEqual({ kind: "etcd", url: "etcd://h:1", endpoints: { hosts: ["http://h:1"] } });
    expect(() => parseStoreFlag("memory")).toThrow(/expected etcd:\/\//);
  });
});
