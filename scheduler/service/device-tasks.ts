// How many placed tasks each device has, kept as tasks are placed and
// released, so that asking (a device's view, DELETE, expiry) does not walk
// every placement: with 20,000 tasks that walk cost milliseconds a request.
import type { PlacementPolicy } from "../placement/types.js";

export class DeviceTasks {
  private readonly counts = new Map<string, number>();

  /** Counts the placements the policy holds now (at start, after a restore). */
  seed(policy: PlacementPolicy): void {
    this.counts.clear();
    for (const p of policy.placements()) this.added(p.request.device);
  }

  added(device: string): void {
    this.counts.set(device, (this.counts.get(device) ?? 0) + 1);
  }

  /** Answers how many the device has left. */
  removed(device: string): number {
    const left = (this.counts.get(device) ?? 1) - 1;
    if (left > 0) this.counts.set(device, left);
    else this.counts.delete(device);
    return Math.max(0, left);
  }

  count(device: string): number {
    return this.counts.get(device) ?? 0;
  }
}
