// Datapath ids in the API: the route parameter's schema and its one spelling.
export const dpidParams = {
  type: "object",
  required: ["dpid"],
  properties: { dpid: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,16}$", description: "datapath id in hex" } },
} as const;

/** "1", "0x1" or "0000000000000001" -> "0000000000000001". */
export function normalizeDpid(raw: string): string {
  return raw.replace(/^0x/i, "").toLowerCase().padStart(16, "0");
}
