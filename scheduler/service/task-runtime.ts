// Tasks that run: on a node with an agent, a placed task's workload is
// started there with its own service IP and MAC (the address plan), its CPU
// share as limit, and a DNS name when a controller serves one. A start that
// fails leaves nothing behind (the caller undoes the placement).
import { createHash } from "node:crypto";
import { ServiceError, ServiceUnreachable } from "../../src/http/client-errors.js";
import { ApiError } from "../../src/http/api-error.js";
import type { ServiceBinding } from "../executor/executor.js";
import type { AgentDirectory, NetworkPort, ProberPort } from "../migration/ports.js";
import type { TaskRequest } from "../placement/types.js";
import type { AddressPlan } from "./address-plan.js";
import type { WorkloadCatalog } from "./workload-catalog.js";

export interface TaskRuntimeOptions {
  agents: AgentDirectory;
  network: NetworkPort;
  prober: ProberPort;
  addresses: AddressPlan;
  catalog: WorkloadCatalog;
  /** DNS names are TASK.svc.<zone>. */
  dnsZone: string;
}

export class TaskRuntime {
  private readonly bindings = new Map<string, ServiceBinding>();

  constructor(private readonly opts: TaskRuntimeOptions) {}

  binding(taskId: string): ServiceBinding | undefined {
    return this.bindings.get(taskId);
  }

  /** Starts the task's workload on `node`; throws an ApiError (409 refused, 502 unreachable) with everything undone. */
  async start(task: TaskRequest, node: string, endpoint: string, cpuShare: number): Promise<ServiceBinding> {
    const entry = this.opts.catalog.lookup(task.workload);
    if (!entry) throw new ApiError(409, "WORKLOAD_FAILED", `no catalog entry runs workload '${task.workload}'`, { reason: "unknown workload" });
    const address = this.opts.addresses.allocate();
    if (!address) throw new ApiError(409, "WORKLOAD_FAILED", `service CIDR ${this.opts.addresses.cidr} is full`, { reason: "no service address left" });
    const agent = this.opts.agents(endpoint, node);
    const workloadId = workloadIdOf(task.id);
    try {
      await agent.createWorkload({
        id: workloadId,
        command: entry.command,
        cpuLimit: cpuShare,
        ports: [entry.port],
        env: entry.env,
        probePath: entry.probePath,
        labels: { "fleximigrate.task": task.id.slice(0, 63) },
        network: { ip: address.ip, prefixLen: address.prefixLen, mac: address.mac, gateway: address.gateway },
      });
    } catch (err) {
      this.opts.addresses.free(address.ip);
      throw startError(node, err);
    }
    const binding: ServiceBinding = {
      workloadId,
      ip: address.ip,
      prefixLen: address.prefixLen,
      mac: address.mac,
      port: entry.port,
      probePath: entry.probePath,
    };
    try {
      if (this.opts.network.configured) {
        binding.dnsName = `${task.id.toLowerCase()}.svc.${this.opts.dnsZone}`;
        await this.opts.network.setDns(binding.dnsName, binding.ip);
        // With a controller the network reaches the service: answer once it serves.
        const probe = await this.opts.prober.probe({ ip: binding.ip, port: binding.port, path: binding.probePath });
        if (!probe.ok) throw new Error(`the workload does not answer: ${probe.detail}`);
      }
    } catch (err) {
      await this.undo(binding, agent.deleteWorkload.bind(agent));
      throw new ApiError(502, "UNAVAILABLE", `task '${task.id}' started on ${node} but ${(err as Error).message}`, { reason: (err as Error).message });
    }
    this.bindings.set(task.id, binding);
    return binding;
  }

  /** A restored binding: its workload runs already; its address is taken again. False when the address is not free in this plan. */
  adopt(taskId: string, binding: ServiceBinding): boolean {
    this.bindings.set(taskId, binding);
    return this.opts.addresses.claim(binding.ip);
  }

  /** The task's workload now runs under another id (a completed move to an agent that renamed it). */
  moved(taskId: string, workloadId: string): void {
    const b = this.bindings.get(taskId);
    if (b) b.workloadId = workloadId;
  }

  /** Stops and removes the task's workload on the node it runs on now; frees its address and DNS name. */
  async stop(taskId: string, node: string, endpoint: string | undefined): Promise<{ removed: boolean; error?: string }> {
    const binding = this.bindings.get(taskId);
    if (!binding) return { removed: false };
    this.bindings.delete(taskId);
    let error: string | undefined;
    if (endpoint) {
      try {
        await this.opts.agents(endpoint, node).deleteWorkload(binding.workloadId);
      } catch (err) {
        if (!(err instanceof ServiceError && err.status === 404)) error = (err as Error).message;
      }
    }
    await this.undo(binding, async () => {});
    return error === undefined ? { removed: true } : { removed: false, error };
  }

  private async undo(binding: ServiceBinding, deleteWorkload: (id: string) => Promise<void>): Promise<void> {
    await deleteWorkload(binding.workloadId).catch(() => {});
    if (binding.dnsName) await this.opts.network.deleteDns(binding.dnsName).catch(() => {});
    this.opts.addresses.free(binding.ip);
  }
}

/** Agents take ids of [a-z0-9-], 41 at most: a task id that is not one gets a hash suffix so ids stay distinct. */
export function workloadIdOf(taskId: string): string {
  const clean = taskId.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+/, "");
  if (clean === taskId && clean.length <= 41 && clean !== "") return clean;
  const hash = createHash("sha256").update(taskId).digest("hex").slice(0, 8);
  return `${clean.slice(0, 32) || "t"}-${hash}`;
}

function startError(node: string, err: unknown): ApiError {
  if (err instanceof ServiceUnreachable) {
    return new ApiError(502, "UNAVAILABLE", `agent of ${node} unreachable: ${err.reason}`, { reason: `agent unreachable: ${err.reason}` });
  }
  const reason = err instanceof ServiceError ? err.serviceMessage : (err as Error).message;
  return new ApiError(409, "WORKLOAD_FAILED", `agent of ${node} could not start the workload: ${reason}`, { reason });
}
