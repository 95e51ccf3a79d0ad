// Held redirects: a service redirected to a port that is still down (a
// migration's destination, fenced until its copy runs) has its last hop
// hand the frames to the controller, which keeps them, in order and within
// bounds, and the moment the port comes up (PORT_STATUS) sends them there
// and points the last hop at the port. A device's request sent while the
// workload was frozen is then answered right after the resume, instead of
// after its TCP retransmission timer's next (backed-off) try.
import type { RedirectRecord, RedirectHold } from "../../src/api-types/controller.js";
import { OFP_NO_BUFFER, OFPP_CONTROLLER, OFPPC, OFPPS } from "../../src/openflow/constants.js";
import type { PacketIn, PortDesc } from "../../src/openflow/messages.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import { type Place, redirectChanges, type ServiceAddress } from "./plan.js";

export interface HoldLimits {
  maxPackets: number;
  maxBytes: number;
  /** Past this, the frames held are dropped and the last hop points at the port anyway. */
  maxHoldMs: number;
}

export const DEFAULT_HOLD_LIMITS: HoldLimits = { maxPackets: 4096, maxBytes: 8 * 1024 * 1024, maxHoldMs: 60_000 };

/** A released hold still forwards the frames its old rule sent up meanwhile, for this long. */
const LINGER_MS = 10_000;

export interface HoldDeps {
  registry: Pick<SwitchRegistry, "get">;
  emit(event: Record<string, unknown> & { type: string }): void;
  limits?: Partial<HoldLimits>;
}

interface Hold {
  record: RedirectRecord;
  cookie: bigint;
  svc: ServiceAddress;
  to: Place;
  frames: Buffer[];
  since: number;
  timer: NodeJS.Timeout;
}

/** A port that passes no frame: administratively down, or no link. */
export function portIsDown(p: PortDesc | undefined): boolean {
  return p === undefined || (p.config & OFPPC.PORT_DOWN) !== 0 || (p.state & OFPPS.LINK_DOWN) !== 0;
}

export class HeldRedirects {
  private readonly holds = new Map<number, Hold>();
  /** Released holds by cookie: their frames go straight to the port. */
  private readonly released = new Map<bigint, { to: Place; until: number }>();
  private readonly limits: HoldLimits;

  constructor(private readonly d: HoldDeps) {
    this.limits = { ...DEFAULT_HOLD_LIMITS, ...d.limits };
  }

  /** Starts holding for `record` (its rules were sent with the last hop to the controller). */
  begin(record: RedirectRecord, cookie: bigint, svc: ServiceAddress): void {
    const hold: Hold = {
      record,
      cookie,
      svc,
      to: record.to,
      frames: [],
      since: Date.now(),
      timer: setTimeout(() => this.release(record.id, "held too long"), this.limits.maxHoldMs),
    };
    hold.timer.unref();
    record.hold = { state: "holding", packets: 0, bytes: 0, dropped: 0 };
    this.holds.set(record.id, hold);
    // Up meanwhile (between the check and now): release at once.
    if (!portIsDown(this.d.registry.get(record.to.dpid)?.ports.get(record.to.port))) this.release(record.id, "port already up");
  }

  /** The switch whose last hop still goes to the controller for redirect `id`, if it is held. */
  holdingAt(id: number): string | undefined {
    return this.holds.get(id)?.to.dpid;
  }

  /** A PACKET_IN: true when it was a held redirect's frame (kept, or sent on to its port). */
  packetIn(dpid: string, pi: PacketIn): boolean {
    // The hot path of every PACKET_IN: nothing to look at unless a redirect holds or just released.
    if (this.holds.size === 0 && this.released.size === 0) return false;
    for (const h of this.holds.values()) {
      if (h.cookie !== pi.cookie || h.to.dpid !== dpid) continue;
      const s = h.record.hold!;
      if (h.frames.length >= this.limits.maxPackets || s.bytes + pi.data.length > this.limits.maxBytes) s.dropped++;
      else {
        h.frames.push(pi.data);
        s.packets++;
        s.bytes += pi.data.length;
      }
      return true;
    }
    const r = this.released.get(pi.cookie);
    if (!r) return false;
    if (Date.now() > r.until) {
      this.released.delete(pi.cookie);
      return false;
    }
    if (r.to.dpid === dpid) this.send(r.to, [pi.data]);
    return true;
  }

  /** PORT_STATUS: a port came up; every hold waiting for it is released. */
  portUp(dpid: string, port: number): void {
    for (const [id, h] of this.holds) if (h.to.dpid === dpid && h.to.port === port) this.release(id, "port up");
  }

  /** The redirect was rolled back or replaced: its frames are dropped (counted), nothing is sent. */
  end(id: number): void {
    const h = this.holds.get(id);
    if (!h) return;
    clearTimeout(h.timer);
    this.holds.delete(id);
    h.record.hold = { ...h.record.hold!, state: "dropped", dropped: h.record.hold!.dropped + h.frames.length, heldMs: Date.now() - h.since };
  }

  private release(id: number, why: string): void {
    const h = this.holds.get(id);
    if (!h) return;
    clearTimeout(h.timer);
    this.holds.delete(id);
    const now = Date.now();
    // Released ones linger a while only: older entries go as new ones come (bounded by the redirects of the last LINGER_MS).
    for (const [cookie, r] of this.released) if (now > r.until) this.released.delete(cookie);
    this.released.set(h.cookie, { to: h.to, until: now + LINGER_MS });
    const conn = this.d.registry.get(h.to.dpid);
    const late = why === "held too long";
    // Held frames first (in order), then the last hop to the port: frames that arrive meanwhile are sent on as released.
    if (!late) this.send(h.to, h.frames);
    const [last] = redirectChanges(h.svc, new Map([[h.to.dpid, h.to.port]]), h.cookie);
    try {
      for (const f of last?.flowMods ?? []) conn?.send({ ...f, xid: 0 });
    } catch {
      // disconnected: it gets the redirect's rules (without the hold) when it reconnects
    }
    const heldMs = Date.now() - h.since;
    const hold: RedirectHold = { ...h.record.hold!, state: late ? "dropped" : "released", heldMs, ...(late && { dropped: h.record.hold!.dropped + h.frames.length }) };
    h.record.hold = hold;
    this.d.emit({ type: "redirect.released", redirectId: id, service: h.record.service, why, ...hold });
  }

  private send(to: Place, frames: Buffer[]): void {
    const conn = this.d.registry.get(to.dpid);
    if (!conn) return;
    try {
      for (const data of frames) conn.send({ type: "packetOut", xid: 0, bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions: [{ type: "output", port: to.port }], data });
    } catch {
      // the switch went away: the frames are lost, as they would be on its wire
    }
  }
}
