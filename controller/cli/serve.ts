// `fleximigrate controller`: runs the OpenFlow 1.3 controller with its HTTP
// API and DNS server until SIGINT/SIGTERM.
import { numberFlag, parseCommandArgs } from "../../src/cli/args.js";
import { type Command, CliError } from "../../src/cli/command.js";
import { createController } from "../app.js";
import { normalizeZone } from "../dns/records.js";
import { DEFAULT_OVSDB_TARGET, parseTarget } from "../ovsdb/client.js";

function checkZone(zone: string | undefined): string | undefined {
  if (zone === undefined) return undefined;
  try {
    return normalizeZone(zone);
  } catch (err) {
    throw new CliError(`--zone: ${(err as Error).message}`);
  }
}

function checkOvsdb(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  try {
    parseTarget(target);
    return target;
  } catch (err) {
    throw new CliError(`--ovsdb: ${(err as Error).message}`);
  }
}

const usage = `Usage: fleximigrate controller [options]

Starts the OpenFlow 1.3 SDN controller: switches connect on the OpenFlow
port; the HTTP API (OpenAPI at /openapi.json, events at /v1/events) and the
DNS server of the service zone run beside it.

Options:
  --openflow-port N   OpenFlow listener (default 6653, 0 = any free port)
  --http-port N       HTTP API (default 8181, 0 = any free port)
  --dns-port N        DNS server, UDP and TCP (default 5353, 0 = any free port)
  --host ADDR         address for HTTP and DNS (default 127.0.0.1)
  --zone ZONE         DNS zone served (default svc.fleximigrate.local)
  --lldp-interval MS  link discovery period (default 1000)
  --ovsdb ADDR        OVSDB of the VXLAN overlay API, unix:PATH or tcp:HOST:PORT
                      (default ${DEFAULT_OVSDB_TARGET}; connected on first use,
                      so the controller starts without Open vSwitch)
  --quiet             no log lines on stderr
  --help              this text
`;

export const command: Command = {
  name: "controller",
  summary: "Start the OpenFlow 1.3 SDN controller",
  usage,
  async run(args) {
    const parsed = parseCommandArgs(
      args,
      {
        "openflow-port": { type: "string" },
        "http-port": { type: "string" },
        "dns-port": { type: "string" },
        host: { type: "string" },
        zone: { type: "string" },
        "lldp-interval": { type: "string" },
        ovsdb: { type: "string" },
        quiet: { type: "boolean" },
      },
      usage,
      { positionals: { max: 0 } },
    );
    if (!parsed) return 0;
    const v = parsed.values;
    const port = (name: string, raw: string | undefined, d: number) => {
      const n = numberFlag(name, raw, d, { min: 0, integer: true });
      if (n > 65535) throw new CliError(`--${name}: expected a port 0..65535, got '${raw}'`);
      return n;
    };
    const quiet = v.quiet === true;
    const options = {
      openflowPort: port("openflow-port", v["openflow-port"], 6653),
      httpPort: port("http-port", v["http-port"], 8181),
      dnsPort: port("dns-port", v["dns-port"], 5353),
      host: v.host,
      zone: checkZone(v.zone),
      lldpIntervalMs: numberFlag("lldp-interval", v["lldp-interval"], 1000, { min: 50, integer: true }),
      ovsdb: checkOvsdb(v.ovsdb),
      log: quiet ? undefined : (level: string, msg: string) => process.stderr.write(`[controller] ${level}: ${msg}\n`),
    };
    let controller: Awaited<ReturnType<typeof createController>>;
    try {
      controller = await createController(options);
    } catch (err) {
      throw new CliError(`cannot start the controller: ${(err as Error).message}`, 1);
    }
    // One line a script can parse to learn the ports (useful with port 0).
    process.stdout.write(`${JSON.stringify({ openflowPort: controller.openflowPort, httpPort: controller.httpPort, dnsPort: controller.dnsPort })}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await controller.close();
    return 0;
  },
};
