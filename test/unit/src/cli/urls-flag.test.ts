// flag.urls: one base URL or a comma list of them (a service's replicas),
// each checked as flag.url checks one, repeated ones dropped, returned as one
// string the clients split again.
import { describe, expect, it } from "vitest";
import { CliError } from "../../../../src/cli/command.js";
import { defineCommand } from "../../../../src/cli/define.js";
import * as flag from "../../../../src/cli/flags.js";

function probe() {
  let seen: string | undefined;
  const command = defineCommand({
    name: "probe",
    description: "Reads --scheduler.",
    flags: { scheduler: flag.urls("the scheduler's replicas", { default: "http://127.0.0.1:8088" }) },
    async run(parsed) {
      seen = parsed.values.scheduler;
      return 0;
    },
  });
  return { command, seen: () => seen };
}

async function message(args: string[]): Promise<string> {
  const err = await probe().command.run(args).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CliError);
  return (err as CliError).message;
}

describe("flag.urls", () => {
  it("keeps one URL or several, without trailing slashes, each once; the default when absent", async () => {
    for (const [args, want] of [
      [[], "http://127.0.0.1:8088"],
      [["--scheduler", "http://a:1/"], "http://a:1"],
      [["--scheduler", "http://a:1/, https://b:2,http://a:1"], "http://a:1,https://b:2"],
    ] as const) {
      const p = probe();
      expect(await p.command.run([...args])).toBe(0);
      expect(p.seen()).toBe(want);
    }
  });

  it("names the flag and the bad member", async () => {
    expect(await message(["--scheduler", "http://a:1,ftp://b"])).toMatch(/^--scheduler: 'ftp:\/\/b' must be an http/);
    expect(await message(["--scheduler", "http://a:1,,http://b:2"])).toMatch(/^--scheduler: 'http:\/\/a:1,,http:\/\/b:2' has an empty URL/);
    expect(await message(["--scheduler", "a b"])).toMatch(/^--scheduler: 'a b' is not a URL/);
  });
});
