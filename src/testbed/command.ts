// `fleximigrate testbed SUBCOMMAND`: the Mininet-style testbed (two edge sites
// and a cloud, the WAN relay between them) and its scenarios.
import { type Command, commandEntry } from "../cli/command.js";
import { dispatch, overview } from "../cli/dispatch.js";

const PROGRAM = "fleximigrate testbed";

export const testbedCommands = [
  commandEntry("up", "Build the testbed and start the controller, scheduler and agents on it (Ctrl-C stops)", () => import("./cli/up.js")),
  commandEntry("down", "Stop a running testbed and remove everything it made", () => import("./cli/down.js")),
  commandEntry("clean", "Remove a crashed testbed's leftovers, as its state file lists them", () => import("./cli/clean.js")),
  commandEntry("run", "Run a scenario (saturate, fsm, strategies, policies, group, or a file); write results/RUN/", () => import("./cli/run.js")),
  commandEntry("relay", "The WAN delay relay (runs inside a WAN link's relay namespace)", () => import("./cli/relay.js")),
];

export const command: Command = {
  name: "testbed",
  usage: overview(testbedCommands, PROGRAM),
  run: (args) => dispatch(testbedCommands, args, PROGRAM),
};
