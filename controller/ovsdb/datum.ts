// RFC 7047 §5.1 data notation: how sets, maps and UUIDs travel in OVSDB
// JSON, and the conversions to plain JS values. Pure.
//
// API: ovsSet(values), ovsMap(record), namedUuid(name), uuid(id),
//      setValues(datum), mapValues(datum), uuidOf(datum), optionalInteger(datum)

export type Atom = string | number | boolean | ["uuid", string] | ["named-uuid", string];
export type OvsSet = ["set", Atom[]];
export type OvsMap = ["map", [Atom, Atom][]];
export type Datum = Atom | OvsSet | OvsMap;

export function ovsSet(values: Atom[]): OvsSet {
  return ["set", values];
}

export function ovsMap(record: Record<string, string>): OvsMap {
  return ["map", Object.entries(record)];
}

export function namedUuid(name: string): ["named-uuid", string] {
  return ["named-uuid", name];
}

export function uuid(id: string): ["uuid", string] {
  return ["uuid", id];
}

/** A set column as an array: a single atom is a one-element set (§5.1). */
export function setValues(datum: unknown): unknown[] {
  if (Array.isArray(datum) && datum[0] === "set" && Array.isArray(datum[1])) return datum[1];
  return [datum];
}

export function mapValues(datum: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(datum) && datum[0] === "map" && Array.isArray(datum[1])) {
    for (const pair of datum[1] as unknown[]) {
      if (Array.isArray(pair) && pair.length === 2) out[String(pair[0])] = String(pair[1]);
    }
  }
  return out;
}

export function uuidOf(datum: unknown): string | null {
  return Array.isArray(datum) && datum[0] === "uuid" && typeof datum[1] === "string" ? datum[1] : null;
}

/** Columns like Interface.ofport are integer sets of 0 or 1 element; null when empty. */
export function optionalInteger(datum: unknown): number | null {
  if (typeof datum === "number") return datum;
  const v = setValues(datum);
  return v.length === 1 && typeof v[0] === "number" ? v[0] : null;
}
