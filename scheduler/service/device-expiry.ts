// Devices that come and go: a device registered by its first task (auto) and
// left with no placed task for --device-ttl is forgotten, durably, so that
// a fleet of short-lived clients does not grow the scheduler's state without
// end. Devices registered by hand stay until DELETE /v1/devices/:id.
// Idle time is kept in memory: after a restart a device's idle time starts
// again, so a restart can delay an expiry but never hasten one.
import type { ServiceContext } from "./context.js";

export const DEFAULT_DEVICE_TTL_MS = 600_000;

export class DeviceExpiry {
  /** Auto devices with no task, and since when (ms). */
  private readonly idleSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  /** ttlMs 0: auto devices never expire. */
  constructor(
    private readonly ctx: ServiceContext,
    readonly ttlMs: number = DEFAULT_DEVICE_TTL_MS,
  ) {}

  /** Sweeps every min(1 s, ttl/3). */
  start(): void {
    if (this.ttlMs <= 0) return;
    this.timer = setInterval(() => void this.sweep(), Math.max(10, Math.min(1_000, this.ttlMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The device has a task again: not idle. */
  busy(device: string): void {
    this.idleSince.delete(device);
  }

  /** The device may have no task left (a release): its idle time starts now if so. */
  maybeIdle(device: string): void {
    const d = this.ctx.devices.get(device);
    if (!d?.auto || this.idleSince.has(device)) return;
    if (this.ctx.deviceTasks.count(device) > 0) return;
    this.idleSince.set(device, this.ctx.now().getTime());
  }

  /** The device is gone (deleted by hand): nothing to expire. */
  forget(device: string): void {
    this.idleSince.delete(device);
  }

  /** Every auto device without a task starts idle now (at start, after a restore). */
  seed(): void {
    const now = this.ctx.now().getTime();
    for (const d of this.ctx.devices.values()) if (d.auto && this.ctx.deviceTasks.count(d.id) === 0) this.idleSince.set(d.id, now);
  }

  /** Removes (durably first) the auto devices idle for longer than the TTL; answers their ids. */
  async sweep(): Promise<string[]> {
    if (this.sweeping || this.ttlMs <= 0 || this.idleSince.size === 0) return [];
    this.sweeping = true;
    try {
      const now = this.ctx.now().getTime();
      const due = [...this.idleSince].filter(([, since]) => now - since >= this.ttlMs).map(([id]) => id);
      if (due.length === 0) return [];
      // A task placed meanwhile keeps its device.
      const expired = due.filter((id) => this.ctx.deviceTasks.count(id) === 0 && this.ctx.devices.get(id)?.auto);
      for (const id of due) if (!expired.includes(id)) this.idleSince.delete(id);
      if (expired.length === 0) return [];
      try {
        await this.ctx.durable.commit(expired.map((id) => ({ kind: "device" as const, key: id, value: null })));
      } catch {
        return []; // the store refused: try again at the next sweep
      }
      const removed: string[] = [];
      for (const id of expired) {
        this.idleSince.delete(id);
        const d = this.ctx.devices.get(id);
        // A task placed while the removal was written: the device stays, and is written back.
        if (d && this.ctx.deviceTasks.count(id) > 0) {
          await this.ctx.durable.commit([this.ctx.durable.device(d)]).catch(() => {});
          continue;
        }
        this.ctx.devices.delete(id);
        this.ctx.events.emit({ type: "device-removed", device: id, reason: "expired" });
        removed.push(id);
      }
      return removed;
    } finally {
      this.sweeping = false;
    }
  }
}
