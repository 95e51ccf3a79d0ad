// The offline test image for the Docker runtime. No registry is reachable
// here, so the image is a rootfs of Debian's busybox-static (one binary plus
// one symlink per applet), imported with the engine's image-import API.
// It also carries /lib and /lib64 links into /usr, like the host's merged
// /usr: with the host's /usr bind-mounted read-only over /usr, the host's
// /usr/bin/python3 runs inside it (see docs/docker.md).
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, copyFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";

export const TEST_IMAGE = "fleximigrate/busybox:test";
const BUSYBOX = "/bin/busybox";

/** Builds TEST_IMAGE unless the engine already has it; returns its name. */
export async function ensureTestImage(docker: Docker, name = TEST_IMAGE): Promise<string> {
  if (await hasImage(docker, name)) return name;
  const rootfs = await mkdtemp(join(tmpdir(), "fmd-rootfs-"));
  try {
    await buildRootfs(rootfs);
    const [repo, tag] = splitName(name);
    const progress = await docker.importImage(tarStream(rootfs), { repo, tag });
    await followProgress(docker, progress);
    if (!(await hasImage(docker, name))) throw new Error(`docker import did not produce ${name}`);
    return name;
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

export async function hasImage(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

async function buildRootfs(rootfs: string): Promise<void> {
  for (const dir of ["bin", "usr", "tmp", "proc", "sys", "dev", "etc", "root", "var", "w"]) await mkdir(join(rootfs, dir));
  await copyFile(BUSYBOX, join(rootfs, "bin/busybox")).catch((err: Error) => {
    throw new Error(`cannot copy ${BUSYBOX} (install busybox-static: bash scripts/setup.sh): ${err.message}`);
  });
  await symlink("usr/lib", join(rootfs, "lib"));
  await symlink("usr/lib64", join(rootfs, "lib64"));
  for (const applet of await applets()) {
    if (applet === "busybox") continue;
    await symlink("busybox", join(rootfs, "bin", applet)).catch(() => {});
  }
  await writeFile(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  await writeFile(join(rootfs, "etc/group"), "root:x:0:\n");
}

async function applets(): Promise<string[]> {
  const out = await run(BUSYBOX, ["--list"]);
  return out.split("\n").filter((a) => /^[\w.[-]+$/.test(a));
}

function tarStream(dir: string): NodeJS.ReadableStream {
  const tar = spawn("tar", ["-C", dir, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
  return tar.stdout;
}

function splitName(name: string): [string, string] {
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? [name.slice(0, colon), name.slice(colon + 1)] : [name, "latest"];
}

/** Waits for an import/load progress stream; rejects on the first error message in it. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = err ?? events.find((e) => e.error);
      if (failed) reject(new Error(failed instanceof Error ? failed.message : String(failed.error)));
      else resolve();
    });
  });
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")}: ${err.trim() || `exit ${code}`}`))));
  });
}
