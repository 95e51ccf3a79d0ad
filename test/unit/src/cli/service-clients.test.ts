// The CLI's clients: a failed call is a CliError, exit 1, that says where the
// service was expected and which service it is.
import http from "node:http";
import type net from "node:net";
import { describe, expect, it } from "vitest";
import { CliError } from "../../../../src/cli/command.js";
import { agentAt, controllerAt } from "../../../../src/cli/service-clients.js";
import { closedPort } from "../../../helpers/ports.js";

describe("CLI service clients", () => {
  it("an unreachable service: cannot reach URL (CODE); is the service running? (which)", async () => {
    const port = await closedPort();
    const err = await agentAt(`http://127.0.0.1:${port}`).info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toBe(`cannot reach http://127.0.0.1:${port} (ECONNREFUSED); is the service running? (agent)`);
  });

  it("an error answer: the call, the status and the service's message", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ statusCode: 404, error: "Not Found", code: "NOT_FOUND", message: "switch 0000000000000099 is not connected" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const err = await controllerAt(url).flows("99").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(1);
      expect((err as CliError).message).toBe(`controller at ${url}: GET /v1/switches/99/flows answered 404: switch 0000000000000099 is not connected`);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
