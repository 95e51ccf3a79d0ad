// The one CRIU wrapper against a stand-in binary (FLEXIMIGRATE_CRIU): the
// flags it adds, and its one error behaviour, a CriuError with the error
// lines of the log (or of stderr when there is no log).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = mkdtempSync(path.join(tmpdir(), "fm-criu-unit-"));
const fake = path.join(root, "criu");
const argvFile = path.join(root, "argv");
// Records its argv; then, by FAKE_MODE: exits 0, writes a log with errors and
// exits 1, fails on stderr only, or hangs.
writeFileSync(
  fake,
  `#!/bin/sh
printf '%s\\n' "$@" > ${argvFile}
for a in "$@"; do prev_o=$o; o=$a; [ "$prev_o" = "-o" ] && log=$a; done
case "$FAKE_MODE" in
  fail) printf 'starting\\nError (criu/util.c): cannot raise RLIMIT_NOFILE\\nError (criu/mem.c): page read failed\\ndone\\n' > "$log"; exit 1 ;;
  stderr) echo "cannot open images dir" >&2; exit 3 ;;
  hang) exec sleep 30 ;;
esac
exit 0
`,
);
chmodSync(fake, 0o755);
process.env.FLEXIMIGRATE_CRIU = fake;
const { criu, CriuError, dumpArgs } = await import("../../../../edge-agent/runtime/criu.js");

const argv = () => readFileSync(argvFile, "utf8").trim().split("\n");
const run = async (mode: string, opts: { verbose?: boolean; timeoutMs?: number } = {}) => {
  process.env.FAKE_MODE = mode;
  const dir = path.join(root, mode);
  return criu(["dump", "-t", "42"], { dir, log: "dump.log", ...opts }).then(
    () => undefined,
    (err: unknown) => err,
  );
};

describe("the CRIU wrapper", () => {
  beforeAll(() => {
    process.env.FAKE_MODE = "ok";
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("adds the images directory and the log, and -v4 only when verbose", async () => {
    expect(await run("ok")).toBeUndefined();
    expect(argv()).toEqual(["dump", "-t", "42", "-D", path.join(root, "ok"), "-o", "dump.log"]);
    expect(await run("ok", { verbose: true })).toBeUndefined();
    expect(argv().at(-1)).toBe("-v4");
  });

  it("builds the tree dump left stopped, with the agent's cgroup flag", () => {
    expect(dumpArgs(7)).toEqual(["dump", "-t", "7", "--leave-stopped", "--skip-in-flight", "--manage-cgroups=ignore"]);
  });

  it("throws a CriuError with the log's error lines, without the harmless RLIMIT_NOFILE one", async () => {
    const err = await run("fail");
    expect(err).toBeInstanceOf(CriuError);
    expect((err as Error).message).toBe("criu dump failed (criu exit 1): Error (criu/mem.c): page read failed");
    expect(err).toMatchObject({ subcommand: "dump", ending: "exit 1", logFile: path.join(root, "fail", "dump.log") });
  });

  it("falls back to stderr when CRIU wrote no log", async () => {
    const err = await run("stderr");
    expect((err as Error).message).toBe("criu dump failed (criu exit 3): cannot open images dir");
  });

  it("ends a run past its timeout", async () => {
    const started = Date.now();
    const err = await run("hang", { timeoutMs: 200 });
    expect((err as InstanceType<typeof CriuError>).ending).toBe("signal SIGTERM");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
