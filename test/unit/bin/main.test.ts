// The registry of bin/main.ts: each entry loads the command of its name, and
// the summary the overview shows is written there only (a Command has none).
import { describe, expect, it } from "vitest";
import { entries } from "../../../bin/main.js";

describe("CLI registry", () => {
  it("loads, for every entry, the command of the same name, which carries no summary of its own", async () => {
    for (const entry of entries) {
      const command = await entry.load();
      expect(command.name, entry.name).toBe(entry.name);
      expect(command, entry.name).not.toHaveProperty("summary");
      expect(entry.summary, entry.name).toMatch(/^[A-Z]\S.*[^.]$/);
    }
  });
});
