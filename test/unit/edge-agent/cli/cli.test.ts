// CLI commands refuse bad input with a CliError naming the problem.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { command as agentInfo } from "../../../../edge-agent/cli/agent-info.js";
import { command as migrate } from "../../../../edge-agent/cli/migrate.js";
import { command as serve } from "../../../../edge-agent/cli/serve.js";
import { command as workloads } from "../../../../edge-agent/cli/workloads.js";
import { CliError } from "../../../../src/cli/command.js";
import { testPca } from "../../../helpers/pca.js";

describe("agent CLI input checks", () => {
  it("migrate needs --from and --to and a known strategy", async () => {
    await expect(migrate.run(["w1", "--to", "http://127.0.0.1:1"])).rejects.toThrow(/--from and --to/);
    await expect(migrate.run(["w1", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:2", "--strategy", "warp"])).rejects.toThrow(/--strategy/);
    await expect(migrate.run(["--from", "a", "--to", "b"])).rejects.toBeInstanceOf(CliError);
  });

  it("agent needs a node name, a tier and a sane --listen", async () => {
    await expect(serve.run(["--tier", "edge"])).rejects.toThrow(/--node/);
    await expect(serve.run(["--node", "n1", "--tier", "fog"])).rejects.toThrow(/--tier/);
    await expect(serve.run(["--node", "n1", "--tier", "edge", "--listen", "nowhere"])).rejects.toThrow(/--listen/);
  });

  it("an attribute certificate goes with the node key it certifies, issued for this node", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fmpca-agent-"));
    try {
      const pca = testPca();
      const id = pca.issueWithKey("n1");
      writeFileSync(path.join(dir, "n1.json"), JSON.stringify(id.cert));
      writeFileSync(path.join(dir, "n1.key"), id.key.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o600 });
      writeFileSync(path.join(dir, "other.key"), pca.keys.privateKey.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o600 });
      const base = ["--node", "n1", "--tier", "edge", "--listen", "127.0.0.1:0", "--insecure"];
      const cert = ["--attribute-cert", path.join(dir, "n1.json")];
      await expect(serve.run([...base, ...cert])).rejects.toThrow(/^--attribute-cert needs --node-key FILE/);
      await expect(serve.run([...base, ...cert, "--node-key", path.join(dir, "other.key")])).rejects.toThrow(/^--node-key: .*other.key is not the key .*n1.json certifies/);
      await expect(serve.run([...base, ...cert, "--node-key", path.join(dir, "none.key")])).rejects.toThrow(/^--node-key: cannot read .*none.key: ENOENT/);
      await expect(serve.run(["--node", "n2", "--tier", "edge", ...cert, "--node-key", path.join(dir, "n1.key")])).rejects.toThrow(/was issued for node n1, not n2/);
      await expect(serve.run([...base, "--node-key", path.join(dir, "n1.key")])).rejects.toThrow(/--node-key goes with --attribute-cert/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every agent URL flag is checked before anything is sent, with exit 2 naming the flag", async () => {
    const refused = async (run: Promise<number>, flag: string) => {
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(new RegExp(`^--${flag}: `));
    };
    await refused(workloads.run(["--agent", "127.0.0.1:7701"]), "agent");
    await refused(agentInfo.run(["--agent", "ftp://127.0.0.1:7701"]), "agent");
    await refused(migrate.run(["w1", "--from", "edge1", "--to", "http://127.0.0.1:2"]), "from");
    await refused(migrate.run(["w1", "--from", "http://127.0.0.1:1", "--to", "not a url"]), "to");
    await refused(serve.run(["--node", "n1", "--tier", "edge", "--scheduler", "localhost"]), "scheduler");
    await refused(serve.run(["--node", "n1", "--tier", "edge", "--advertise", "10.0.0.1:7701"]), "advertise");
  });

  it("client commands report an unreachable agent clearly", async () => {
    await expect(workloads.run(["--agent", "http://127.0.0.1:9"])).rejects.toThrow(/cannot reach/);
    await expect(agentInfo.run(["--agent", "http://127.0.0.1:9", "--json"])).rejects.toThrow(/cannot reach/);
  });
});
