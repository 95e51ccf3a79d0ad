// withServices starts what a benchmark needs and stops only what it started.
// A fake `docker`/`dockerd` pair on PATH stands in for the engine: `docker info`
// succeeds while the fake daemon's marker file exists.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { withServices } from "../../../bench/services.js";
import { describeWhen, missing, needs } from "../../helpers/env.js";

// services.sh runs dockerd with /usr/local/sbin first on PATH: a real one there would win over the fake.
const shadowed: [() => boolean, string] = [() => !existsSync("/usr/local/sbin/dockerd"), "a dockerd in /usr/local/sbin would shadow the fake one"];

describeWhen("withServices", missing([needs.root(), shadowed]), () => {
  const dir = mkdtempSync(join(tmpdir(), "fm-fake-docker-"));
  const marker = join(dir, "running");
  const starts = join(dir, "starts");
  const saved = { PATH: process.env.PATH, FAKE_DOCKER_DIR: process.env.FAKE_DOCKER_DIR };

  beforeAll(() => {
    writeFileSync(join(dir, "docker"), '#!/bin/sh\n[ "$1" = info ] && [ -f "$FAKE_DOCKER_DIR/running" ] && exit 0\nexit 1\n');
    writeFileSync(
      join(dir, "dockerd"),
      '#!/bin/sh\necho start >> "$FAKE_DOCKER_DIR/starts"\ntouch "$FAKE_DOCKER_DIR/running"\ntrap \'rm -f "$FAKE_DOCKER_DIR/running"; exit 0\' TERM\nwhile :; do sleep 0.1; done\n',
    );
    chmodSync(join(dir, "docker"), 0o755);
    chmodSync(join(dir, "dockerd"), 0o755);
    process.env.PATH = `${dir}:${process.env.PATH}`;
    process.env.FAKE_DOCKER_DIR = dir;
  });

  afterAll(() => {
    process.env.PATH = saved.PATH;
    if (saved.FAKE_DOCKER_DIR === undefined) delete process.env.FAKE_DOCKER_DIR;
    else process.env.FAKE_DOCKER_DIR = saved.FAKE_DOCKER_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a missing engine for the run and stops it afterwards", async () => {
    const seen = await withServices(["docker"], async () => existsSync(marker));
    expect(seen).toBe(true);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(starts, "utf8")).toBe("start\n");
  });

  it("leaves an engine it did not start running, also when the run fails", async () => {
    rmSync(starts, { force: true });
    writeFileSync(marker, "");
    await expect(withServices(["docker"], async () => Promise.reject(new Error("bench failed")))).rejects.toThrow("bench failed");
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(starts)).toBe(false);
  });
});
