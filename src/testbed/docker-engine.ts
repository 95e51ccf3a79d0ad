// The Docker engine for the strategies scenario's Docker moves: started with
// scripts/services.sh when none runs (and then stopped after, by the PID that
// script recorded in a state folder of our own; an engine someone else runs is
// left alone), and the offline image the moved container runs: the same
// image server the other strategies move (scheduler/profiling/server.ts,
// bundled into one file), on this machine's own node binary and the libraries
// it links, with busybox for a shell; imported as a rootfs (no registry is
// reachable). Its tag is the hash of what it holds, so a changed server or
// node makes a new image.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { SERVICES_SCRIPT } from "../demo/services.js";

const run = promisify(execFile);
const SERVICES = SERVICES_SCRIPT;
/** The image server's source, bundled into the image (a file path: src/ imports none of the scheduler's code). */
const IMAGE_SERVER = fileURLToPath(new URL("../../scheduler/profiling/server.ts", import.meta.url));
export const TESTBED_DOCKER_REPO = "fleximigrate/testbed-image-server";
const APPLETS = ["sh", "cat", "sleep"];
/** Where the container's image server listens. */
export const CONTAINER_PORT = 8080;

export type DockerEngine = { ok: true; image: string; version: string; stop(): Promise<void> } | { ok: false; reason: string };

const firstLine = (err: unknown) => {
  const e = err as { stderr?: string; message: string };
  return (e.stderr?.trim() || e.message).split("\n")[0]!;
};

/** An engine with checkpoint support and the image, or why there is none (the exact error). */
export async function prepareDockerEngine(prefix: string, log: (line: string) => void): Promise<DockerEngine> {
  const state = mkdtempSync(`/tmp/${prefix}-docker-services-`);
  const env = { ...process.env, FLEXIMIGRATE_STATE: state };
  const stop = async () => {
    await run("bash", [SERVICES, "stop", "docker"], { env, timeout: 60_000 }).catch((err) => log(`stopping dockerd: ${firstLine(err)}`));
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await run("bash", [SERVICES, "start", "docker"], { env, timeout: 120_000 });
    const { stdout } = await run("docker", ["info", "--format", "{{.ServerVersion}} {{.ExperimentalBuild}}"], { timeout: 20_000 });
    const [version = "", experimental] = stdout.trim().split(" ");
    if (experimental !== "true") {
      await stop();
      return { ok: false, reason: `dockerd ${version} runs without --experimental: its checkpoint API is off (docker info: ExperimentalBuild=${experimental})` };
    }
    const image = await ensureImage(prefix);
    log(`Docker engine ${version} (experimental), image ${image}`);
    return { ok: true, image, version, stop };
  } catch (err) {
    await stop();
    return { ok: false, reason: `no usable Docker engine: ${firstLine(err)}` };
  }
}

/** Builds (once per content) the image server's image; answers its name. */
async function ensureImage(prefix: string): Promise<string> {
  const rootfs = mkdtempSync(`/tmp/${prefix}-rootfs-`);
  try {
    for (const d of ["bin", "tmp", "proc", "sys", "dev", "etc", "srv", "usr/bin"]) mkdirSync(path.join(rootfs, d), { recursive: true });
    copyFileSync("/bin/busybox", path.join(rootfs, "bin/busybox"));
    for (const a of APPLETS) symlinkSync("busybox", path.join(rootfs, "bin", a));
    await build({ entryPoints: [IMAGE_SERVER], bundle: true, platform: "node", format: "esm", target: "node20", outfile: path.join(rootfs, "srv/server.mjs"), logLevel: "silent" });
    copyFileSync(process.execPath, path.join(rootfs, "usr/bin/node"));
    for (const lib of await linkedLibraries(process.execPath)) {
      mkdirSync(path.join(rootfs, path.dirname(lib)), { recursive: true });
      copyFileSync(lib, path.join(rootfs, lib));
    }
    const hash = createHash("sha256").update(readFileSync(path.join(rootfs, "srv/server.mjs"))).update(process.version).digest("hex").slice(0, 12);
    const image = `${TESTBED_DOCKER_REPO}:${hash}`;
    if (await run("docker", ["image", "inspect", image], { timeout: 20_000 }).then(() => true, () => false)) return image;
    await run("sh", ["-c", `tar -C '${rootfs}' -c . | docker import - ${image}`], { timeout: 120_000 });
    return image;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The shared libraries a binary loads (ldd's resolved paths and the loader). */
async function linkedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run("ldd", [binary], { timeout: 20_000 });
  return lddPaths(stdout);
}

/** The files in ldd's answer: each `name => /path (0x...)` and the loader's `/path (0x...)`; the vDSO has none. */
export function lddPaths(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}

/** The container's image server holding `mib` MiB of touched memory (as the scheduler's `ballast-MIB` tasks), on CONTAINER_PORT. */
export function ballastWorkloadSpec(mib: number): { command: string[]; env: Record<string, string> } {
  return {
    command: ["/usr/bin/node", "/srv/server.mjs"],
    env: { FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: String(mib), FLEXIMIGRATE_WORKLOAD_PORT: String(CONTAINER_PORT), FLEXIMIGRATE_WORKLOAD_HOST: "0.0.0.0" },
  };
}

/** Whether the container's server holds its memory and listens yet (its first line says how much). */
export async function ballastReady(containerId: string): Promise<number | undefined> {
  const out = await run("docker", ["logs", containerId], { timeout: 20_000 }).catch(() => undefined);
  const m = /"ballastMiB":(\d+)/.exec(out?.stdout ?? "");
  return m ? Number(m[1]) : undefined;
}
