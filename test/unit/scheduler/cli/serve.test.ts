// `fleximigrate scheduler --trusted-pca`: the PCAs it trusts are read at start
// and named on its startup lines; a bad key file is refused before it listens.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, runCli } from "../../../helpers/cli.js";
import { testPca } from "../../../helpers/pca.js";
import { spawnChild } from "../../../helpers/processes.js";

const dir = mkdtempSync(path.join(tmpdir(), "fmpca-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scheduler --trusted-pca", () => {
  it("names the trusted PCAs' key ids when it starts", async () => {
    const a = testPca();
    const b = testPca();
    writeFileSync(path.join(dir, "a.pub"), a.keys.publicKey.export({ format: "pem", type: "spki" }) as string);
    writeFileSync(path.join(dir, "b.pub"), b.keys.publicKey.export({ format: "pem", type: "spki" }) as string);
    const child = spawnChild(process.execPath, [CLI_PATH, "scheduler", "--port", "0", "--state-dir", path.join(dir, "state"), "--trusted-pca", path.join(dir, "a.pub"), "--trusted-pca", path.join(dir, "b.pub"), "--insecure"]);
    try {
      await child.line((l) => /^\s+data protection: /.test(l), 30_000);
      expect(child.stdout()).toMatch(new RegExp(`data protection: trusted PCA\\(s\\) ${a.trusted.id}, ${b.trusted.id}\\n`));
    } finally {
      await child.stop();
    }
  }, 40_000);

  it("refuses a file that is not an Ed25519 public key, with exit 2", async () => {
    writeFileSync(path.join(dir, "junk.pub"), "not a key\n");
    const r = await runCli(["scheduler", "--port", "0", "--state-dir", path.join(dir, "state2"), "--trusted-pca", path.join(dir, "junk.pub")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trusted-pca: .*junk.pub: not a PEM key/);
  }, 30_000);
});
