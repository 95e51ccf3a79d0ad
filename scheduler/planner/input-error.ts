// Bad planner input: the message names the file (and line, for JSONL) so the
// CLI can print it as is and exit 2.
export class InputError extends Error {
  override name = "InputError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${reason}`);
  }
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
