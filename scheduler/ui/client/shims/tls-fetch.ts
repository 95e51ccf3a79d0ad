// Browser stand-in for src/http/tls-fetch.ts: the browser does TLS itself (it
// trusts what its user trusts and holds no client key), so a typed client in
// the page uses the page's fetch; a token goes as the Authorization header.
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientTls {
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  token?: string;
}

export function authHeaders(tls: ClientTls | undefined): Record<string, string> {
  return tls?.token ? { authorization: `Bearer ${tls.token}` } : {};
}

export function tlsFetch(tls: ClientTls): Fetch {
  const headers = authHeaders(tls);
  return (url, init) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });
}
