// The controller as a child process on ephemeral ports, as the integration
// suites run it: started from the CLI, its ports read from the JSON line it
// prints first, stopped by its PID (SIGTERM, then SIGKILL after 5 s).
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI_PATH } from "./cli.js";

export interface ControllerPorts {
  openflowPort: number;
  httpPort: number;
  dnsPort: number;
}

export interface ControllerProcess {
  child: ChildProcess;
  ports: ControllerPorts;
  /** The last 20 kB the controller wrote on stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startControllerProcess(extraArgs: string[] = [], timeoutMs = 30_000): Promise<ControllerProcess> {
  const args = ["controller", "--openflow-port", "0", "--http-port", "0", "--dns-port", "0", ...extraArgs];
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const stop = () => stopChild(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ports = await new Promise<ControllerPorts>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`controller did not start: ${stderr}`)), timeoutMs);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as ControllerPorts);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited with ${code}: ${stderr}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { child, ports, stderr: () => stderr, stop };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
