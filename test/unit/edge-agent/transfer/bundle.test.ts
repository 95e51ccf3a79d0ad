import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BundleError, decodeBundle, encodeBundle } from "../../../../edge-agent/transfer/bundle.js";

describe("image bundle codec", () => {
  const files = [
    { name: "pstree.img", data: randomBytes(40) },
    { name: "pages-1.img", data: randomBytes(70_000) },
    { name: "empty.img", data: Buffer.alloc(0) },
  ];

  it("gives back every file, in order, byte for byte", () => {
    const out = decodeBundle(encodeBundle(files));
    expect(out.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of out.entries()) expect(f.data.equals(files[i]!.data)).toBe(true);
  });

  it("refuses a flipped byte in any file's data", () => {
    const buf = encodeBundle(files);
    buf[buf.length - 100]! ^= 0xff;
    expect(() => decodeBundle(buf)).toThrow(/sha256 mismatch for pages-1.img/);
  });

  it("refuses a cut bundle, an unsafe name and a name given twice", () => {
    const buf = encodeBundle(files);
    expect(() => decodeBundle(buf.subarray(0, buf.length - 10))).toThrow(BundleError);
    expect(() => decodeBundle(encodeBundle([{ name: "../etc/passwd", data: Buffer.from("x") }]))).toThrow(/bad file name/);
    expect(() => decodeBundle(encodeBundle([files[0]!, files[0]!]))).toThrow(/twice/);
  });
});
