// The controller's metrics (GET /metrics): flows installed on switches
// (FLOW_MODs that add or change a flow, plain or in a bundle), PACKET_INs
// received, and DNS queries answered by response code. The OpenFlow session
// and the DNS server count through plain callbacks; the per-message path only
// increments a counter or a child bound here once.
import { Counter, type Registry } from "prom-client";
import { METRIC_PREFIX, serviceRegistry } from "../../src/metrics/registry.js";
import { RCODE } from "../dns/answer.js";

export const CONTROLLER_METRICS = {
  flowsInstalled: `${METRIC_PREFIX}controller_flows_installed_total`,
  packetIns: `${METRIC_PREFIX}controller_packet_ins_total`,
  dnsQueries: `${METRIC_PREFIX}controller_dns_queries_total`,
} as const;

type Child = { inc(n?: number): void };

export class ControllerMetrics {
  readonly registry: Registry;
  private readonly flows: Counter;
  private readonly packetIns: Counter;
  /** By rcode number; codes past the table count as "other". */
  private readonly rcodes: Child[];
  private readonly otherRcode: Child;

  constructor(registry: Registry = serviceRegistry()) {
    this.registry = registry;
    const registers = [registry];
    this.flows = new Counter({ name: CONTROLLER_METRICS.flowsInstalled, help: "Flows installed or changed on switches (FLOW_MOD add or modify, plain or in a bundle)", registers });
    this.packetIns = new Counter({ name: CONTROLLER_METRICS.packetIns, help: "PACKET_IN messages received from switches", registers });
    const dns = new Counter({ name: CONTROLLER_METRICS.dnsQueries, help: "DNS queries answered, by response code", labelNames: ["rcode"], registers });
    this.rcodes = [];
    for (const [name, code] of Object.entries(RCODE)) this.rcodes[code] = dns.labels(name);
    this.otherRcode = dns.labels("other");
  }

  flowsInstalled(n: number): void {
    if (n > 0) this.flows.inc(n);
  }

  packetIn(): void {
    this.packetIns.inc();
  }

  dnsAnswered(rcode: number): void {
    (this.rcodes[rcode] ?? this.otherRcode).inc();
  }
}
