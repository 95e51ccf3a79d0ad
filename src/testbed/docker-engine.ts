// The Docker engine for the strategies scenario's Docker moves: started with
// scripts/services.sh when none runs (and then stopped after, by the PID that
// script recorded in a state folder of our own; an engine someone else runs is
// left alone), and the offline image the moved container runs: Debian's
// busybox-static imported as a one-binary rootfs (no registry is reachable).
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SERVICES = fileURLToPath(new URL("../../scripts/services.sh", import.meta.url));
export const TESTBED_DOCKER_IMAGE = "fleximigrate/testbed-busybox:1";
const APPLETS = ["sh", "awk", "sleep", "cat", "rm", "mv"];

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
    await ensureImage(prefix);
    log(`Docker engine ${version} (experimental), image ${TESTBED_DOCKER_IMAGE}`);
    return { ok: true, image: TESTBED_DOCKER_IMAGE, version, stop };
  } catch (err) {
    await stop();
    return { ok: false, reason: `no usable Docker engine: ${firstLine(err)}` };
  }
}

async function ensureImage(prefix: string): Promise<void> {
  if (await run("docker", ["image", "inspect", TESTBED_DOCKER_IMAGE], { timeout: 20_000 }).then(() => true, () => false)) return;
  const rootfs = mkdtempSync(`/tmp/${prefix}-rootfs-`);
  try {
    for (const d of ["bin", "tmp", "proc", "sys", "dev", "etc"]) mkdirSync(path.join(rootfs, d));
    copyFileSync("/bin/busybox", path.join(rootfs, "bin/busybox"));
    for (const a of APPLETS) symlinkSync("busybox", path.join(rootfs, "bin", a));
    await run("sh", ["-c", `tar -C '${rootfs}' -c . | docker import - ${TESTBED_DOCKER_IMAGE}`], { timeout: 120_000 });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/**
 * The container's command: busybox awk holding `mib` MiB of touched,
 * non-zero memory (4 KiB of seeded random characters doubled, then trimmed),
 * writing /tmp/ready once it holds it, then idling a second at a time.
 */
export function ballastCommand(mib: number): string[] {
  const program = [
    "BEGIN{srand(7); c=\"\"; for(i=0;i<4096;i++) c=c sprintf(\"%c\", 33+int(rand()*90)); s=c;",
    "while(length(s) < mib*1048576) s = s s; s = substr(s, 1, mib*1048576);",
    "print length(s) > \"/tmp/ready\"; close(\"/tmp/ready\");",
    "while(1) { n++; system(\"sleep 1\") } }",
  ].join(" ");
  return ["awk", "-v", `mib=${mib}`, program];
}

/** Whether the ballast container holds its memory yet (its /tmp/ready says how much). */
export async function ballastReady(containerId: string): Promise<number | undefined> {
  const out = await run("docker", ["exec", containerId, "cat", "/tmp/ready"], { timeout: 20_000 }).catch(() => undefined);
  const n = Number(out?.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
