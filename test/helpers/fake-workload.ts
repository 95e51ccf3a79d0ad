// A local HTTP server that plays the image workload (GET /process?size=...)
// on 127.0.0.1:0, with a misbehaviour on chosen requests: pause before
// answering, reset the connection, answer 500, or never answer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What every answer says its processing took (the real workload's `processingMs`). */
export const FAKE_PROCESSING_MS = 1.5;

export type Misbehaviour = "pause" | "reset" | "http-500" | "silent";

export interface FakeWorkload {
  port: number;
  /** Requests seen, with their path. */
  paths: string[];
  /** Distinct client connections seen. */
  connections: number;
  close(): Promise<void>;
}

/** `at`: the 1-based request numbers that misbehave; `pauseMs` for "pause". */
export async function startFakeWorkload(at: Record<number, Misbehaviour> = {}, pauseMs = 500): Promise<FakeWorkload> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? "");
    const answer = () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, size: new URL(req.url ?? "/", "http://x").searchParams.get("size"), processingMs: FAKE_PROCESSING_MS }));
    };
    switch (at[paths.length]) {
      case "pause":
        setTimeout(answer, pauseMs);
        return;
      case "reset":
        req.socket.resetAndDestroy();
        return;
      case "http-500":
        res.statusCode = 500;
        res.end("boom");
        return;
      case "silent":
        return;
      default:
        answer();
    }
  });
  const fake: FakeWorkload = {
    port: 0,
    paths,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => fake.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}
