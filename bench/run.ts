// `npm run bench -- NAME [--json]`: runs one benchmark (or all) and prints its figures.
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  scheduler: () => import("./scheduler.js"),
  controller: () => import("./controller.js"),
  migration: () => import("./migration.js"),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || name === "--help" || !(name in benches)) {
  process.stdout.write(`Usage: npm run bench -- ${Object.keys(benches).join("|")} [--json]\n`);
  process.exit(name && name !== "--help" ? 2 : 0);
}
const mod = await benches[name]!();
process.exitCode = await mod.run(rest);
