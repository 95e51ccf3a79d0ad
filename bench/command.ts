// `fleximigrate bench NAME`: runs one of the benchmarks in this process.
import type { Command } from "../src/cli/command.js";
import { dispatch, overview } from "../src/cli/dispatch.js";
import { benches } from "./benches.js";

const PROGRAM = "fleximigrate bench";

export const command: Command = {
  name: "bench",
  usage: overview(benches, PROGRAM),
  run: (args) => dispatch(benches, args, PROGRAM),
};
