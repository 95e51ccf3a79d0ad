// Runs the workload server in a Docker container and limits it with the
// container's CFS quota (`docker update --cpu-quota`, what `--cpus` sets).
// No registry is reachable, so the image is empty (imported from an empty tar)
// and the host's node, libraries and this checkout are bind-mounted read-only.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CPU_SHARES, type CpuLimiter, type ProfileRuntime, quotaUs } from "./runtime.js";
import { CPU_PERIOD_US } from "../../src/cpu-period.js";

const exec = promisify(execFile);
export const DOCKER_IMAGE = "fleximigrate-profile-node:1";
const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const TIMEOUT_MS = 60_000;

async function docker(args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await exec("docker", args, { timeout: TIMEOUT_MS })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile("docker", args, { timeout: TIMEOUT_MS }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin!.end(input);
  });
}

/** Why the Docker runtime cannot run here, or null when it can. */
export async function dockerUnavailable(): Promise<string | null> {
  try {
    await exec("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 10_000 });
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") return "the docker CLI is not installed";
    const detail = (e.stderr ?? "").trim().split("\n").at(-1) || e.message;
    return `no usable Docker engine (${detail}); as root, start one with: bash scripts/services.sh start`;
  }
}

/** Imports the empty image once: a tar with no entries. */
export async function ensureImage(): Promise<void> {
  try {
    await docker(["image", "inspect", DOCKER_IMAGE]);
  } catch {
    // 1024 zero bytes: an empty tar archive (two end-of-archive blocks).
    await docker(["import", "-", DOCKER_IMAGE], "\0".repeat(1024));
  }
}

/** The container named `fleximigrate-profile-<our pid>`, on the host's loopback (`--network host`). */
export function dockerRuntime(name = `fleximigrate-profile-${process.pid}`): ProfileRuntime {
  return {
    name: "docker",
    prepare: ensureImage,
    serverCommand: (server) => ({
      command: "docker",
      args: [
        "run", "--rm", "-i", "--name", name, "--network", "host", "--tmpfs", "/tmp",
        "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro", "-v", `${REPO}:${REPO}:ro`, "-w", REPO,
        "--cpu-period", String(CPU_PERIOD_US), "--cpu-quota", String(CPU_PERIOD_US), "--cpu-shares", String(CPU_SHARES),
        DOCKER_IMAGE, process.execPath, "--import", "tsx", server,
      ],
    }),
    limit: async () => new DockerLimiter(name),
  };
}

export class DockerLimiter implements CpuLimiter {
  private disposed = false;
  constructor(readonly container: string) {}

  async setLimit(share: number): Promise<void> {
    await docker(["update", "--cpu-period", String(CPU_PERIOD_US), "--cpu-quota", String(quotaUs(share)), this.container]);
  }

  /** Current quota as a share, as Docker reports it. */
  async currentLimit(): Promise<number> {
    return Number((await docker(["inspect", "-f", "{{.HostConfig.CpuQuota}}", this.container])).trim()) / CPU_PERIOD_US;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await docker(["rm", "-f", this.container]);
    } catch {
      // Already gone (--rm): nothing to remove.
    }
  }
}
