// Checks of flag values shared by the flag kinds (flags.ts) and by code that
// reads a flag-like value elsewhere; every error names the flag (exit 2).
import { CliError } from "./command.js";

/** Parses a numeric flag value, naming the flag in the error. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean; positive?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const { min, max, integer, positive } = opts;
  const outside = (min !== undefined && n < min) || (max !== undefined && n > max) || (positive && !(n > 0));
  if (raw.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || outside) {
    const kind = `${positive ? "a positive " : integer ? "an " : "a "}${integer ? "integer" : "number"}`;
    const range = min !== undefined && max !== undefined ? ` in ${min}..${max}` : min !== undefined ? ` >= ${min}` : max !== undefined ? ` <= ${max}` : "";
    throw new CliError(`--${name}: expected ${kind}${range}, got '${raw}'`);
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
