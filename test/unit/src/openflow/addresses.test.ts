import { describe, expect, it } from "vitest";
import { formatIpv4, formatIpv6, formatMac, ipv4PrefixMask, writeIpv4, writeIpv6, writeMac } from "../../../../src/openflow/index.js";

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

  it("parses IPv6 text in every RFC 4291 form and prints RFC 5952 text", () => {
    const b = Buffer.alloc(16);
    const cases: [string, string, string][] = [
      ["2001:db8::", "20010db8000000000000000000000000", "2001:db8::"],
      ["FE80::1", "fe800000000000000000000000000001", "fe80::1"],
      ["::", "00000000000000000000000000000000", "::"],
      ["::1", "00000000000000000000000000000001", "::1"],
      ["2001:0db8:0000:0000:0001:0000:0000:0001", "20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
      ["2001:db8:0:1:1:1:1:1", "20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
      ["::ffff:10.0.0.1", "00000000000000000000ffff0a000001", "::ffff:a00:1"],
      ["ffff:ffff::", "ffffffff000000000000000000000000", "ffff:ffff::"],
    ];
    for (const [text, bytes, printed] of cases) {
      writeIpv6(text, b, 0);
      expect(b.toString("hex"), text).toBe(bytes);
      expect(formatIpv6(b, 0), text).toBe(printed);
    }
    for (const bad of ["", ":", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "1.2.3.4::", "::1:2:3:4:5:6:7:8", " ::1"]) {
      expect(() => writeIpv6(bad, b, 0), bad).toThrow(TypeError);
    }
  });
});
