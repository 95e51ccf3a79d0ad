// Flag parsing for subcommands on top of node:util parseArgs, with `--help`
// handled once here and parse errors turned into CliError (exit 2).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./command.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };
  positionals: string[];
}

/**
 * Parses `args`; returns null after printing `usage` when `--help`/`-h` is given.
 * Unknown flags and missing values become a CliError naming the flag.
 */
export function parseCommandArgs<O extends Options>(
  args: string[],
  options: O,
  usage: string,
  opts: { positionals?: { min?: number; max?: number } } = {},
): Parsed<O> | null {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(usage.endsWith("\n") ? usage : `${usage}\n`);
    return null;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}\n\n${usage}`);
  }
  const { min = 0, max = Number.POSITIVE_INFINITY } = opts.positionals ?? {};
  if (parsed.positionals.length < min) throw new CliError(`missing argument\n\n${usage}`);
  if (parsed.positionals.length > max)
    throw new CliError(`unexpected argument '${parsed.positionals[max]}'\n\n${usage}`);
  return parsed as unknown as Parsed<O>;
}

/** Parses a numeric flag value, naming the flag in the error. */
export function numberFlag(name: string, raw: string | undefined, fallback: number, opts: { min?: number; integer?: boolean } = {}): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new CliError(`--${name}: expected ${opts.integer ? "an integer" : "a number"}${opts.min !== undefined ? ` >= ${opts.min}` : ""}, got '${raw}'`);
  }
  return n;
}

/**
 * Parses a base-URL flag (an http:// or https:// URL), naming the flag in the
 * error; returns it without a trailing slash so paths can be appended.
 */
export function urlFlag(name: string, raw: string | undefined, fallback: string): string;
export function urlFlag(name: string, raw: string | undefined): string | undefined;
export function urlFlag(name: string, raw: string | undefined, fallback?: string): string | undefined {
  const text = raw ?? fallback;
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--${name}: '${text}' is not a URL (e.g. ${fallback ?? "http://127.0.0.1:8080"})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`--${name}: '${text}' must be an http:// or https:// URL`);
  return url.toString().replace(/\/+$/, "");
}
