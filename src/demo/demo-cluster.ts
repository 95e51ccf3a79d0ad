// The nodes of the demo: two small edge nodes near the devices and one large
// cloud node farther away. Agents register these; `up` registers the rest.
import type { DemoNode } from "./demo-load.js";

export const DEMO_NODES: Array<DemoNode & { agentPort: number }> = [
  { name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5, agentPort: 7701 },
  { name: "edge2", tier: "edge", cpus: 2, netDelayMs: 8, agentPort: 7702 },
  { name: "cloud1", tier: "cloud", cpus: 16, netDelayMs: 60, agentPort: 7703 },
];
