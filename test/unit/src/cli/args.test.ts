// urlFlag: the one check every base-URL flag (--controller, --agent, --from,
// --to, --scheduler, --advertise) goes through.
import { describe, expect, it } from "vitest";
import { urlFlag } from "../../../../src/cli/args.js";
import { CliError } from "../../../../src/cli/command.js";

describe("urlFlag", () => {
  it("returns the URL without trailing slashes, or the fallback when the flag is absent", () => {
    expect(urlFlag("agent", "http://127.0.0.1:7701/", "http://x:1")).toBe("http://127.0.0.1:7701");
    expect(urlFlag("agent", "https://edge1.example:8443/api//")).toBe("https://edge1.example:8443/api");
    expect(urlFlag("agent", undefined, "http://127.0.0.1:7701")).toBe("http://127.0.0.1:7701");
    expect(urlFlag("scheduler", undefined)).toBeUndefined();
  });

  it("refuses what is not an http(s) URL with a CliError naming the flag", () => {
    for (const [raw, why] of [
      ["127.0.0.1:7701", /is not a URL/],
      ["edge1", /is not a URL/],
      ["ftp://127.0.0.1/", /must be an http/],
      ["file:///etc/passwd", /must be an http/],
    ] as const) {
      let err: unknown;
      try {
        urlFlag("to", raw);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).message).toMatch(/^--to: /);
      expect((err as CliError).message).toMatch(why);
    }
  });
});
