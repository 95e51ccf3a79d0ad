// JSON <-> codec values for flows: bigints (cookies, metadata, tunnel ids)
// travel as "0x..." strings; everything else is the codec's own shape.
import type { FlowStats, Instruction, Match } from "../../src/openflow/messages.js";
import { cookieOwner } from "../openflow/cookies.js";

const BIGINT_FIELDS = ["metadata", "metadataMask", "tunnelId", "tunnelIdMask"] as const;

export function toJsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return `0x${v.toString(16)}`;
  if (Buffer.isBuffer(v)) return v.toString("hex");
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}

export function flowStatsJson(f: FlowStats): Record<string, unknown> {
  return {
    tableId: f.tableId,
    priority: f.priority,
    cookie: `0x${f.cookie.toString(16)}`,
    owner: cookieOwner(f.cookie),
    idleTimeout: f.idleTimeout,
    hardTimeout: f.hardTimeout,
    durationSec: f.durationSec,
    packetCount: Number(f.packetCount),
    byteCount: Number(f.byteCount),
    match: toJsonValue(f.match),
    instructions: toJsonValue(f.instructions),
  };
}

/** Parses "0x1f", "31" or 31 into a bigint; throws a readable Error otherwise. */
export function parseBigint(name: string, v: unknown): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/.test(v)) {
    const b = BigInt(v);
    if (b <= 0xffff_ffff_ffff_ffffn) return b;
  }
  throw new Error(`${name} must be a 64-bit unsigned integer (number or "0x..." string)`);
}

/** A match from JSON: bigint fields parsed, the rest as given (the encoder validates addresses). Copied only when changed. */
export function matchFromJson(m: Record<string, unknown>, where = "match"): Match {
  let out: Record<string, unknown> | undefined;
  for (const k of BIGINT_FIELDS) {
    if (m[k] === undefined) continue;
    out ??= { ...m };
    out[k] = parseBigint(`${where}.${k}`, m[k]);
  }
  return (out ?? m) as Match;
}

export function instructionsFromJson(list: Array<Record<string, unknown>>): Instruction[] {
  return list.map((ins, i) => {
    if (ins.type === "writeMetadata") {
      return { type: "writeMetadata", metadata: parseBigint(`instructions[${i}].metadata`, ins.metadata), mask: parseBigint(`instructions[${i}].mask`, ins.mask ?? "0xffffffffffffffff") };
    }
    if (ins.type === "applyActions" || ins.type === "writeActions") {
      // Most action lists hold no setField: they pass as they are (the hot path of a batch install).
      if (!(ins.actions as Array<Record<string, unknown>>).some((a) => a.type === "setField")) return ins as unknown as Instruction;
      const actions = (ins.actions as Array<Record<string, unknown>>).map((a) =>
        a.type === "setField" ? { ...a, field: matchFromJson(a.field as Record<string, unknown>, `instructions[${i}].setField`) } : a,
      );
      return { ...ins, actions } as Instruction;
    }
    return ins as unknown as Instruction;
  });
}
