// The CPU-bound image work the profiled service does: a 7x7 Gaussian blur
// followed by Sobel edge detection. Plain loops on purpose: the cost is
// proportional to the pixel count, which is what makes the input classes differ.
import type { GrayImage } from "./images.js";

const RADIUS = 3;
const SIGMA = 1.5;

/** Normalised (2r+1)² Gaussian weights, row-major. */
function gaussianWeights(radius: number, sigma: number): Float64Array {
  const side = 2 * radius + 1;
  const w = new Float64Array(side * side);
  let sum = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const v = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      w[(dy + radius) * side + dx + radius] = v;
      sum += v;
    }
  }
  for (let i = 0; i < w.length; i++) w[i]! /= sum;
  return w;
}

const WEIGHTS = gaussianWeights(RADIUS, SIGMA);

/** A buffer for a kernel's output: `reuse` when it fits, so a server need not allocate (and collect) per request. */
function outputBuffer(size: number, reuse?: Uint8Array): Uint8Array {
  if (reuse && reuse.length === size) return reuse.fill(0);
  return new Uint8Array(size);
}

/** Non-separable Gaussian blur, edges clamped. */
export function gaussianBlur(img: GrayImage, reuse?: Uint8Array): GrayImage {
  const { width, height, pixels } = img;
  const out = outputBuffer(width * height, reuse);
  const side = 2 * RADIUS + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let dy = -RADIUS; dy <= RADIUS; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        const row = yy * width;
        const wrow = (dy + RADIUS) * side + RADIUS;
        for (let dx = -RADIUS; dx <= RADIUS; dx++) {
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          acc += WEIGHTS[wrow + dx]! * pixels[row + xx]!;
        }
      }
      out[y * width + x] = Math.round(acc);
    }
  }
  return { width, height, pixels: out };
}

/** Sobel gradient magnitude, clamped to 0..255; the one-pixel border stays 0. */
export function sobel(img: GrayImage, reuse?: Uint8Array): GrayImage {
  const { width, height, pixels: p } = img;
  const out = outputBuffer(width * height, reuse);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const gx = -p[i - width - 1]! - 2 * p[i - 1]! - p[i + width - 1]! + p[i - width + 1]! + 2 * p[i + 1]! + p[i + width + 1]!;
      const gy = -p[i - width - 1]! - 2 * p[i - width]! - p[i - width + 1]! + p[i + width - 1]! + 2 * p[i + width]! + p[i + width + 1]!;
      out[i] = Math.min(255, Math.round(Math.hypot(gx, gy)));
    }
  }
  return { width, height, pixels: out };
}

/** Blur then edges: the request handled by the profiled service. `scratch` buffers are reused when given. */
export function detectEdges(img: GrayImage, scratch?: { blurred: Uint8Array; edges: Uint8Array }): GrayImage {
  return sobel(gaussianBlur(img, scratch?.blurred), scratch?.edges);
}

/** FNV-1a over the pixels: lets a caller check that the work really ran. */
export function checksum(img: GrayImage): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < img.pixels.length; i++) {
    h ^= img.pixels[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Share of pixels that are edges (magnitude above `threshold`). */
export function edgeFraction(img: GrayImage, threshold = 64): number {
  let n = 0;
  for (let i = 0; i < img.pixels.length; i++) if (img.pixels[i]! > threshold) n++;
  return n / img.pixels.length;
}
