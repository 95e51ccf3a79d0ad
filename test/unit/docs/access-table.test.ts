// The README's authorization table is the services' access tables, as
// scripts/access-table.ts prints them: a route or role changed in code and
// not in the README (or the other way round) fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVICE_TABLES } from "../../../scripts/access-table.js";
import { ACCESS_TABLE_BEGIN, ACCESS_TABLE_END, accessMarkdown } from "../../../src/http/access-markdown.js";

describe("README authorization table", () => {
  it("matches the access tables in the code", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const begin = readme.indexOf(ACCESS_TABLE_BEGIN);
    const end = readme.indexOf(ACCESS_TABLE_END);
    expect(begin, "README.md has no access-table markers").toBeGreaterThanOrEqual(0);
    expect(readme.slice(begin, end + ACCESS_TABLE_END.length)).toBe(accessMarkdown(SERVICE_TABLES));
  });
});
