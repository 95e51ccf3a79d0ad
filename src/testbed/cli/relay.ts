// `fleximigrate testbed relay`: the delaying relay of one WAN link, started by
// the testbed (or mininet/topos.py) inside the link's relay namespace. Prints
// one JSON line when it relays, its counters on SIGTERM/SIGINT, then exits.
import { CliError } from "../../cli/command.js";
import { defineCommand } from "../../cli/define.js";
import * as flag from "../../cli/flags.js";
import { parseIpv4 } from "../../loopnet/addresses.js";
import { startRelay, VXLAN_PORT } from "../relay.js";

const address = (name: string) => (raw: string) => {
  if (parseIpv4(raw) === null) throw new CliError(`--${name}: '${raw}' is not an IPv4 address`);
  return raw;
};

export const command = defineCommand({
  name: "testbed relay",
  description: `Relays the VXLAN datagrams of one WAN link between its two sides, each held
for --delay-ms, in order, at most --queue held per direction (more are dropped
and counted). Bandwidth is not its job: tbf on the relay's links shapes it.`,
  flags: {
    a: flag.parsed("ADDR", "the relay's address on side A (it listens there)", address("a"), { required: true }),
    "a-peer": flag.parsed("ADDR", "side A's VXLAN endpoint", address("a-peer"), { required: true }),
    b: flag.parsed("ADDR", "the relay's address on side B", address("b"), { required: true }),
    "b-peer": flag.parsed("ADDR", "side B's VXLAN endpoint", address("b-peer"), { required: true }),
    port: flag.number("N", "UDP port of both sides", { integer: true, min: 1, max: 65535, default: VXLAN_PORT }),
    "delay-ms": flag.number("MS", "one-way delay added to every datagram", { min: 0, max: 10_000, default: 0 }),
    queue: flag.number("N", "datagrams held at most per direction", { integer: true, min: 1, max: 1_000_000, default: 2000 }),
  },
  async run({ values: v }) {
    const relay = await startRelay({ a: v.a, aPeer: v["a-peer"], b: v.b, bPeer: v["b-peer"], port: v.port, delayMs: v["delay-ms"], queueFrames: v.queue });
    process.stdout.write(`${JSON.stringify({ relaying: { a: v.a, b: v.b, delayMs: v["delay-ms"], queue: v.queue } })}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    const stats = relay.stats();
    await relay.close();
    process.stderr.write(`${JSON.stringify({ relayStats: stats })}\n`);
    return 0;
  },
});
