// Host names of a workload's own network: its namespace and the two veth ends.
// Pure. Interface names are at most 15 characters (IFNAMSIZ - 1), so the veth
// ends carry a hash of node and workload; the namespace keeps both readable.
import { createHash } from "node:crypto";

export interface NetworkNames {
  /** ip netns name (/run/netns/NAME). */
  namespace: string;
  /** The end on the bridge (root namespace). */
  port: string;
  /** The end moved into the namespace and renamed eth0 there. */
  peer: string;
}

export const IFNAME_MAX = 15;
/** Name of the workload's interface inside its namespace. */
export const INNER_IFNAME = "eth0";

/** Unique per (node, workload): two agents on one host never collide, and the same workload gets the same names again. */
export function networkNames(node: string, workloadId: string): NetworkNames {
  const hash = createHash("sha256").update(`${node}/${workloadId}`).digest("hex").slice(0, 8);
  // The node's first letters keep the ends recognisable (and inside a test run's name prefix).
  const lead = node.replace(/[^A-Za-z0-9-]/g, "").slice(0, 4);
  const full = `${node}-${workloadId}`.replace(/[^A-Za-z0-9._-]/g, "_");
  return {
    namespace: full.length <= 60 ? full : `${full.slice(0, 51)}-${hash}`,
    port: `${lead}${hash}o`,
    peer: `${lead}${hash}i`,
  };
}
