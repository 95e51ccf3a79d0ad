// JSON over HTTP for the CLI's client commands, with errors a person can act on.
import { CliError } from "./command.js";

export async function requestJson<T>(
  method: string,
  url: string,
  body?: unknown,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`cannot reach ${new URL(url).origin} (${cause}); is the service running?`, 1);
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message = (data as { message?: string })?.message ?? text;
    throw new CliError(`${method} ${new URL(url).pathname} answered ${res.status}: ${message}`, 1);
  }
  return data as T;
}
