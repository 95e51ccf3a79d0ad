// The one-machine network of the closed loop: what a plan is made from and
// what it promises (names, datapath ids, OpenFlow port numbers, addresses),
// before anything touches the host.
import type { Tier } from "../api-types/scheduler.js";

export interface LoopnetNode {
  /** The scheduler's node name (edge1, cloud1, ...). */
  name: string;
  tier: Tier;
  /** Nodes of one site share a LAN (a veth between their bridges); sites are joined by VXLAN. */
  site: string;
}

export interface LoopnetInput {
  /** Starts every host name the plan makes: 2-8 characters, a lower-case letter then letters or digits. */
  prefix: string;
  nodes: LoopnetNode[];
  /** Sites that get a device namespace; every site with an edge node when absent. */
  deviceSites?: string[];
  /** Where service IPs live; 10.77.0.0/16 when absent. Devices and the gateway take the top of it. */
  serviceCidr?: string;
  /** The controller's OpenFlow port on 127.0.0.1 (fail-mode secure); absent: no controller, fail-mode standalone. */
  controllerPort?: number;
  /** PID whose network namespace receives the VXLAN devices: the caller's own (process.pid). */
  rootNetnsPid: number;
}

/** One end of a link: a port of a bridge, with the OpenFlow number the plan asks for. */
export interface PortEnd {
  node: string;
  bridge: string;
  port: string;
  ofport: number;
}

export interface PlannedBridge {
  node: string;
  site: string;
  tier: Tier;
  name: string;
  /** 16 hex digits, as OVS and the controller's API spell it. */
  dpid: string;
}

export type PlannedLink =
  | { kind: "site"; site: string; a: PortEnd; b: PortEnd }
  | { kind: "vxlan"; sites: [string, string]; vni: number; underlay: [string, string]; a: PortEnd; b: PortEnd };

export interface PlannedDevice {
  site: string;
  netns: string;
  /** Inside the namespace. */
  iface: string;
  /** Address with prefix length, e.g. 10.77.255.1/16. */
  address: string;
  port: PortEnd;
}

export interface PlannedGateway {
  port: PortEnd;
  address: string;
}

/** Something the plan creates on the host, with the argv that removes it. */
export interface HostObject {
  kind: "bridge" | "veth" | "vxlan" | "internal-port" | "netns";
  /** The name it is known by; a veth's peer and a bridge's own port are in `names` too. */
  name: string;
  /** Every host name the object brings (a veth's two ends). */
  names: string[];
  /** Runs as it is; "not there" is a successful removal. */
  remove: string[];
}

export interface LoopnetPlan {
  prefix: string;
  mode: "secure" | "standalone";
  /** tcp:127.0.0.1:PORT, or null in standalone mode. */
  controller: string | null;
  serviceCidr: string;
  bridges: PlannedBridge[];
  links: PlannedLink[];
  devices: PlannedDevice[];
  gateway: PlannedGateway;
  objects: HostObject[];
  /** argv arrays, run in order. */
  commands: string[][];
  /** argv arrays that remove every object, run in order (bridges, then root links, then namespaces). */
  removal: string[][];
}
