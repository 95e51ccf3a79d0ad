// The few scheduler API calls `up` makes, answering status and body as they
// are (a 409 refusal is an outcome of the demo, not an error).
export interface ApiAnswer {
  status: number;
  data: Record<string, unknown>;
}

export async function call(method: string, url: string, body?: unknown, timeoutMs = 10_000): Promise<ApiAnswer> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let data: unknown = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  return { status: res.status, data: data as Record<string, unknown> };
}

/** GET that must succeed; throws with the service's message otherwise. */
export async function getJson<T>(url: string): Promise<T> {
  const { status, data } = await call("GET", url);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${String(data.message ?? "")}`);
  return data as T;
}
