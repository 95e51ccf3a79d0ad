// The profiled image workload: deterministic inputs, and kernels that do what
// their names say (so the profile measures real blur + edge work).
import { describe, expect, it } from "vitest";
import { generateImage, type GrayImage, IMAGE_SIZES, isInputClass } from "../../../../scheduler/profiling/images.js";
import { checksum, detectEdges, edgeFraction, gaussianBlur, sobel } from "../../../../scheduler/profiling/kernels.js";

function flat(side: number, value: number): GrayImage {
  return { width: side, height: side, pixels: new Uint8Array(side * side).fill(value) };
}

describe("image workload", () => {
  it("generates the same image for the same seed and a different one for another seed", () => {
    expect(checksum(generateImage(64, 1))).toBe(checksum(generateImage(64, 1)));
    expect(checksum(generateImage(64, 1))).not.toBe(checksum(generateImage(64, 2)));
    expect(generateImage(IMAGE_SIZES.small).pixels.length).toBe(IMAGE_SIZES.small ** 2);
  });

  it("knows its input classes, smallest first", () => {
    expect(Object.keys(IMAGE_SIZES)).toEqual(["small", "medium", "large"]);
    expect(IMAGE_SIZES.small).toBeLessThan(IMAGE_SIZES.medium);
    expect(IMAGE_SIZES.medium).toBeLessThan(IMAGE_SIZES.large);
    expect(isInputClass("medium")).toBe(true);
    expect(isInputClass("toString")).toBe(false);
  });

  it("blur keeps a flat image flat and Sobel finds no edges in it", () => {
    const img = flat(16, 100);
    expect([...new Set(gaussianBlur(img).pixels)]).toEqual([100]);
    expect(edgeFraction(sobel(img))).toBe(0);
  });

  it("Sobel marks a vertical step edge along its column only", () => {
    const img = flat(16, 0);
    for (let y = 0; y < 16; y++) for (let x = 8; x < 16; x++) img.pixels[y * 16 + x] = 200;
    const edges = sobel(img);
    for (let y = 1; y < 15; y++) {
      expect(edges.pixels[y * 16 + 7]).toBe(255);
      expect(edges.pixels[y * 16 + 8]).toBe(255);
      expect(edges.pixels[y * 16 + 3]).toBe(0);
      expect(edges.pixels[y * 16 + 12]).toBe(0);
    }
  });

  it("gives the same result into reused scratch buffers, without allocating new ones", () => {
    const img = generateImage(64, 3);
    const scratch = { blurred: new Uint8Array(64 * 64).fill(7), edges: new Uint8Array(64 * 64).fill(9) };
    const first = detectEdges(img, scratch);
    expect(first.pixels).toBe(scratch.edges);
    expect(checksum(first)).toBe(checksum(detectEdges(img)));
    expect(checksum(detectEdges(img, scratch))).toBe(checksum(detectEdges(img)));
  });

  it("finds the rings of a generated image as edges", () => {
    const f = edgeFraction(detectEdges(generateImage(128)));
    expect(f).toBeGreaterThan(0.01);
    expect(f).toBeLessThan(0.5);
  });
});
