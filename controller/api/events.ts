// What the controller announces on GET /v1/events (src/http/events-plugin.ts):
// everything it notices (switch up/down, links, hosts, flow changes,
// redirects, DNS, overlay tunnels), one JSON object per message; the hub adds `at`.
import type { EventHub } from "../../src/http/event-hub.js";

export interface ControllerEvent {
  type: string;
  [key: string]: unknown;
}

export type ControllerEvents = EventHub<ControllerEvent>;

export const CONTROLLER_EVENTS_SUMMARY = "controller events, one JSON object per message: {type: switch.up|link.up|host.new|flow.installed|redirect|dns.record.set|overlay.tunnel.up|..., at, ...}";
