// `fleximigrate bench NAME`: the same benchmarks as `npm run bench -- NAME`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command } from "./command.js";

const usage = `Usage: fleximigrate bench scheduler|controller|migration [--json]

Runs a benchmark and prints its figures (see README, "Benchmarks").`;

export const command: Command = {
  name: "bench",
  summary: "Run a benchmark",
  usage,
  async run(args) {
    if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${usage}\n`);
      return args.length === 0 ? 2 : 0;
    }
    const runner = fileURLToPath(new URL("../../bench/run.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const child = spawn(tsx, [runner, ...args], { stdio: "inherit" });
    return await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  },
};
