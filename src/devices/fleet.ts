// Many devices at once on one clock: each runs on its own (device.ts); the
// fleet only starts them together and waits for them all.
import { performance } from "node:perf_hooks";
import { type DeviceOptions, type DeviceResult, type DeviceSpec, runDevice } from "./device.js";

export async function runFleet(specs: DeviceSpec[], opts: Omit<DeviceOptions, "clock">): Promise<DeviceResult[]> {
  const start = performance.now();
  const clock = () => performance.now() - start;
  return Promise.all(specs.map((spec) => runDevice(spec, { ...opts, clock })));
}
