// CLI commands refuse bad input with a CliError naming the problem.
import { describe, expect, it } from "vitest";
import { command as agentInfo } from "../../../edge-agent/cli/agent-info.js";
import { command as migrate } from "../../../edge-agent/cli/migrate.js";
import { command as serve } from "../../../edge-agent/cli/serve.js";
import { command as workloads } from "../../../edge-agent/cli/workloads.js";
import { CliError } from "../../../src/cli/command.js";

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

  it("client commands report an unreachable agent clearly", async () => {
    await expect(workloads.run(["--agent", "http://127.0.0.1:9"])).rejects.toThrow(/cannot reach/);
    await expect(agentInfo.run(["--agent", "http://127.0.0.1:9", "--json"])).rejects.toThrow(/cannot reach/);
  });
});
