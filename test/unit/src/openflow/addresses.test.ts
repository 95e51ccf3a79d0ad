import { describe, expect, it } from "vitest";
import { formatIpv4, formatMac, ipv4PrefixMask, writeIpv4, writeMac } from "../../../../src/openflow/index.js";

describe("address text <-> bytes", () => {
  it("parses and prints IPv4 addresses, rejecting malformed ones", () => {
    const b = Buffer.alloc(4);
    writeIpv4("10.200.0.255", b, 0);
    expect([...b]).toEqual([10, 200, 0, 255]);
    expect(formatIpv4(b, 0)).toBe("10.200.0.255");
    for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "", "1.2.3.4.", "0001.2.3.4", "a.b.c.d", " 1.2.3.4"]) {
      expect(() => writeIpv4(bad, b, 0), bad).toThrow(TypeError);
    }
  });

  it("parses MACs in either case and prints them lower case", () => {
    const b = Buffer.alloc(6);
    writeMac("AA:bb:0C:dd:EE:0f", b, 0);
    expect(formatMac(b, 0)).toBe("aa:bb:0c:dd:ee:0f");
    for (const bad of ["aa:bb:cc:dd:ee", "aa-bb-cc-dd-ee-ff", "gg:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:00"]) {
      expect(() => writeMac(bad, b, 0), bad).toThrow(TypeError);
    }
  });

  it("turns prefix lengths into dotted masks", () => {
    expect(ipv4PrefixMask(0)).toBe("0.0.0.0");
    expect(ipv4PrefixMask(8)).toBe("255.0.0.0");
    expect(ipv4PrefixMask(23)).toBe("255.255.254.0");
    expect(ipv4PrefixMask(32)).toBe("255.255.255.255");
  });
});
