// What an in-process CLI command prints: its stdout is captured (and kept off
// the test output) while it runs, then restored.
import { vi } from "vitest";

export async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out };
  } finally {
    spy.mockRestore();
  }
}
