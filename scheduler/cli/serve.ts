// `fleximigrate scheduler`: loads models and an optional cluster, builds the
// service and listens until SIGINT/SIGTERM.
import { readFileSync } from "node:fs";
import { parseCommandArgs, numberFlag } from "../../src/cli/args.js";
import { CliError, type Command } from "../../src/cli/command.js";
import { loadDefaultModels } from "../latency/defaults.js";
import { fitModels } from "../latency/fit.js";
import { parseSamplesCsv } from "../latency/samples.js";
import { createPolicy, isPolicyName, POLICY_NAMES } from "../placement/policies.js";
import type { ModelTable, NodeSpec } from "../placement/types.js";
import { buildSchedulerApp } from "../service/app.js";
import { parseClusterFile, parseModelsFile } from "../service/config-files.js";

const usage = `Usage: fleximigrate scheduler [--port 8088] [--host 127.0.0.1] [--policy delay-aware]
                             [--samples CSV | --models JSON] [--nodes CLUSTER.json] [--log]

Starts the delay-aware scheduler service (HTTP API, OpenAPI at /openapi.json,
WebSocket events at /v1/events). Runs until Ctrl-C.

Options:
  --port N          TCP port (default 8088; 0 picks a free one)
  --host ADDR       address to listen on (default 127.0.0.1)
  --policy NAME     placement policy: ${POLICY_NAMES.join(", ")} (default delay-aware)
  --samples CSV     fit latency models from these profiling samples
  --models JSON     use these latency models ({"detect/small": {"kind","a","b"}})
  --nodes JSON      start with the nodes (and models, if present) of this cluster file
  --log             log every request (fastify logger, JSON on stdout)

Without --samples/--models the models of the cluster file are used, else the
embedded defaults fitted from measured samples.`;

const options = {
  port: { type: "string" },
  host: { type: "string" },
  policy: { type: "string" },
  samples: { type: "string" },
  models: { type: "string" },
  nodes: { type: "string" },
  log: { type: "boolean" },
} as const;

export const command: Command = {
  name: "scheduler",
  summary: "Start the delay-aware scheduler service",
  usage,
  async run(args) {
    const parsed = parseCommandArgs(args, options, usage, { positionals: { max: 0 } });
    if (!parsed) return 0;
    const v = parsed.values;
    const port = numberFlag("port", v.port, 8088, { min: 0, integer: true });
    if (port > 65535) throw new CliError(`--port: expected a port <= 65535, got ${port}`);
    const host = v.host ?? "127.0.0.1";
    const policyName = v.policy ?? "delay-aware";
    if (!isPolicyName(policyName)) {
      throw new CliError(`--policy: unknown policy '${policyName}' (known: ${POLICY_NAMES.join(", ")})`);
    }
    if (v.samples && v.models) throw new CliError("give --samples or --models, not both");

    const cluster = v.nodes ? configFile(v.nodes, parseClusterFile) : undefined;
    const { models, source } = loadModels(v.samples, v.models, cluster?.models, v.nodes);
    const nodes: NodeSpec[] = cluster?.nodes ?? [];
    let policy: ReturnType<typeof createPolicy>;
    try {
      policy = createPolicy(policyName, { nodes, models });
    } catch (err) {
      throw new CliError(`${v.nodes}: ${(err as Error).message}`);
    }
    const app = await buildSchedulerApp({ policy, models, logger: v.log ?? false });

    try {
      await app.listen({ port, host });
    } catch (err) {
      await app.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`cannot listen on ${host}:${port}: ${code === "EADDRINUSE" ? "address in use" : (err as Error).message}`, 1);
    }
    const addr = app.server.address();
    const boundPort = typeof addr === "object" && addr ? addr.port : port;
    const base = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
    // The first line is read by `fleximigrate up` to find the service: keep its shape.
    process.stdout.write(`scheduler listening on ${base}\n`);
    process.stdout.write(
      `  policy ${policyName}, ${Object.keys(models).length} model(s) from ${source}, ${nodes.length} node(s)\n` +
        `  API ${base}/v1  OpenAPI ${base}/openapi.json  events ws://${base.slice("http://".length)}/v1/events\n`,
    );

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await app.close();
    return 0;
  },
};

function loadModels(
  samples: string | undefined,
  modelsFile: string | undefined,
  clusterModels: ModelTable | undefined,
  clusterFile: string | undefined,
): { models: ModelTable; source: string } {
  if (samples) {
    const models = configFile(samples, (text, file) => fitModels(parseSamplesCsv(text, file), file));
    return { models, source: samples };
  }
  if (modelsFile) return { models: configFile(modelsFile, parseModelsFile), source: modelsFile };
  if (clusterModels) return { models: clusterModels, source: clusterFile! };
  return { models: loadDefaultModels(), source: "embedded samples" };
}

/** Reads and parses an input file; any failure becomes a CliError naming the file. */
function configFile<T>(file: string, parse: (text: string, file: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parse(text, file);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
