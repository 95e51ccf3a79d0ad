// The page stream's wire: the source's listener serves only a connection that
// says the migration's token first, over TLS with a per-migration certificate
// the destination's relay pins. A page fetch without the token, with another
// token, or through a relay pinning another certificate gets no byte back.
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { preListen, type PreListened } from "../../../../edge-agent/postcopy/page-server.js";
import { ephemeralCertificate, preamble, startPageRelay, tokenMatches } from "../../../../edge-agent/transfer/page-wire.js";
import { newMigrationToken } from "../../../../edge-agent/service/migration-token.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A guarded listener whose served connections echo "PAGES:" + what they receive. */
async function echoPageServer(token: string, tls?: { key: string; cert: string }) {
  const served: Socket[] = [];
  const listener: PreListened = await preListen("127.0.0.1", 0, { token, ...(tls && { tls }) });
  listener.take((sock) => {
    served.push(sock);
    sock.on("data", (d: Buffer) => sock.write(Buffer.concat([Buffer.from("PAGES:"), d])));
  });
  cleanups.push(async () => {
    for (const s of served) s.destroy();
    await listener.close();
  });
  return { listener, served };
}

/** Everything `sock` receives until it closes or `ms` pass. */
async function received(sock: Socket, ms = 1500): Promise<string> {
  let got = "";
  sock.on("data", (d: Buffer) => (got += d.toString()));
  await Promise.race([once(sock, "close"), new Promise((r) => setTimeout(r, ms))]).catch(() => undefined);
  sock.destroy();
  return got;
}

describe("the page wire", () => {
  it("tokens compare exactly", () => {
    const t = newMigrationToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, `${t.slice(0, -1)}A` === t ? `${t.slice(0, -1)}B` : `${t.slice(0, -1)}A`)).toBe(false);
  });

  it("plain TCP: the token first, then the stream is served; without it or with another, the connection is cut unserved", async () => {
    const token = newMigrationToken();
    const { listener, served } = await echoPageServer(token);
    const good = connect(listener.port, "127.0.0.1");
    good.write(Buffer.concat([preamble(token), Buffer.from("GET1")]));
    expect(await received(good, 800)).toBe("PAGES:GET1");

    const none = connect(listener.port, "127.0.0.1");
    // A lazy-pages daemon speaking straight to the page server: its PS_IOV_GET header, no token.
    none.write(Buffer.alloc(64, 7));
    expect(await received(none)).toBe("");

    const wrong = connect(listener.port, "127.0.0.1");
    wrong.write(Buffer.concat([preamble(newMigrationToken()), Buffer.from("GET1")]));
    expect(await received(wrong)).toBe("");
    expect(served).toHaveLength(1);
  });

  it("TLS: the relay pins the certificate and says the token; the daemon's bytes go through and back", async () => {
    const token = newMigrationToken();
    const cert = await ephemeralCertificate();
    expect(cert.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const { listener, served } = await echoPageServer(token, cert);
    const relay = await startPageRelay({ host: "127.0.0.1", port: listener.port, token, fingerprint: cert.fingerprint });
    cleanups.push(() => relay.close());
    const daemon = connect(relay.port, relay.host);
    daemon.write("GET2");
    expect(await received(daemon, 1500)).toBe("PAGES:GET2");
    expect(served).toHaveLength(1);
  });

  it("TLS: a relay pinning another certificate sends nothing (not even the token), a stranger over TLS without the token is cut", async () => {
    const token = newMigrationToken();
    const cert = await ephemeralCertificate();
    const other = await ephemeralCertificate();
    const { listener, served } = await echoPageServer(token, cert);
    const relay = await startPageRelay({ host: "127.0.0.1", port: listener.port, token, fingerprint: other.fingerprint });
    cleanups.push(() => relay.close());
    const daemon = connect(relay.port, relay.host);
    daemon.write("GET3");
    expect(await received(daemon)).toBe("");

    const stranger = tlsConnect({ host: "127.0.0.1", port: listener.port, rejectUnauthorized: false });
    await once(stranger, "secureConnect");
    stranger.write(Buffer.alloc(64, 7));
    expect(await received(stranger)).toBe("");
    expect(served).toHaveLength(0);
  });

  it("CRIU's own TLS: only the client certificate made for the migration is served; another, or none, is cut", async () => {
    const server = await ephemeralCertificate({ ip: "127.0.0.1" });
    const daemon = await ephemeralCertificate({ cn: "fleximigrate-lazy-pages" });
    const stranger = await ephemeralCertificate({ cn: "fleximigrate-lazy-pages" });
    const served: Socket[] = [];
    const listener = await preListen("127.0.0.1", 0, { clientFingerprint: daemon.fingerprint, tls: server });
    listener.take((sock) => {
      served.push(sock);
      sock.on("data", (d: Buffer) => sock.write(Buffer.concat([Buffer.from("PAGES:"), d])));
    });
    cleanups.push(async () => {
      for (const s of served) s.destroy();
      await listener.close();
    });
    const dial = async (cert?: { key: string; cert: string }) => {
      // As CRIU does: trusts only the server's own certificate, and checks its address.
      const sock = tlsConnect({ host: "127.0.0.1", port: listener.port, ca: server.cert, ...(cert && { key: cert.key, cert: cert.cert }) });
      await once(sock, "secureConnect");
      sock.write("GET4");
      return received(sock, 800);
    };
    expect(await dial(daemon)).toBe("PAGES:GET4");
    expect(await dial(stranger)).toBe("");
    expect(await dial()).toBe("");
    expect(served).toHaveLength(1);
  });
});
