// The real prober: an HTTP GET to http://ip:port/path from the scheduler's
// host, through the network, with bounded retries (a redirect may take a
// moment to reach every switch).
import type { ProberPort } from "./ports.js";

export interface HttpProberOptions {
  attempts?: number;
  delayMs?: number;
  timeoutMs?: number;
}

export function httpProber(opts: HttpProberOptions = {}): ProberPort {
  const attempts = opts.attempts ?? 10;
  const delayMs = opts.delayMs ?? 200;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  return {
    async probe({ ip, port, path }) {
      const url = `http://${ip}:${port}${path.startsWith("/") ? path : `/${path}`}`;
      let last = "";
      for (let i = 1; i <= attempts; i++) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          await res.arrayBuffer();
          if (res.ok) return { ok: true, detail: `GET ${url} answered ${res.status} (attempt ${i})` };
          last = `answered ${res.status}`;
        } catch (err) {
          last = (err as Error).message;
        }
        if (i < attempts) await new Promise((r) => setTimeout(r, delayMs));
      }
      return { ok: false, detail: `GET ${url} failed ${attempts} times (last: ${last})` };
    },
  };
}
