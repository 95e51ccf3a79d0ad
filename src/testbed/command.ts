// `fleximigrate testbed SUBCOMMAND`: the Mininet-style testbed (two edge sites
// and a cloud, the WAN relay between them) and its scenarios.
import { type Command, commandEntry } from "../cli/command.js";
import { dispatch, overview } from "../cli/dispatch.js";

const PROGRAM = "fleximigrate testbed";

export const testbedCommands = [
  commandEntry("relay", "The WAN delay relay (runs inside a WAN link's relay namespace)", () => import("./cli/relay.js")),
];

export const command: Command = {
  name: "testbed",
  usage: overview(testbedCommands, PROGRAM),
  run: (args) => dispatch(testbedCommands, args, PROGRAM),
};
