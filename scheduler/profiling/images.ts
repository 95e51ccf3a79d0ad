// Synthetic grayscale test images, generated deterministically so that every
// profiling run (and every machine) processes exactly the same pixels.

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major luminance, 0..255. */
  pixels: Uint8Array;
}

/** The input classes of the workload and their square image side in pixels. */
export const IMAGE_SIZES = { small: 256, medium: 512, large: 1024 } as const;
export type InputClass = keyof typeof IMAGE_SIZES;

export function isInputClass(name: string): name is InputClass {
  return Object.hasOwn(IMAGE_SIZES, name);
}

/**
 * A square image with edges worth detecting: concentric rings, a diagonal gradient
 * and seeded noise (xorshift32, so the same `seed` always yields the same image).
 */
export function generateImage(side: number, seed = 1): GrayImage {
  const pixels = new Uint8Array(side * side);
  let state = seed >>> 0 || 1;
  const c = side / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      const ring = Math.hypot(x - c, y - c) % 32 < 16 ? 160 : 40;
      const gradient = ((x + y) * 48) / (2 * side);
      const noise = (state & 31) - 16;
      pixels[y * side + x] = Math.max(0, Math.min(255, Math.round(ring + gradient + noise)));
    }
  }
  return { width: side, height: side, pixels };
}
