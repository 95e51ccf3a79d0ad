// defineCommand: one declaration gives the help text, the parsing, typed
// values and errors (CliError, exit 2) that name the flag.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CliError } from "../../../../src/cli/command.js";
import { defineCommand, helpText } from "../../../../src/cli/define.js";
import * as flag from "../../../../src/cli/flags.js";

afterEach(() => vi.restoreAllMocks());

const flags = {
  port: flag.number("N", "TCP port", { integer: true, min: 0, max: 65535, default: 8088 }),
  rate: flag.number("R", "requests per second", { positive: true }),
  target: flag.url("where to send", { required: true }),
  mode: flag.choice(["fast", "safe"], "how to go", { default: "safe" }),
  tags: flag.parsed("LIST", "comma list", (raw) => raw.split(","), { default: "a,b" }),
  name: flag.string("NAME", "who"),
  json: flag.boolean("print JSON"),
};

/** A command that hands back what it parsed. */
function probe() {
  let seen: unknown;
  const command = defineCommand({
    name: "probe",
    synopsis: "FILE",
    positionals: { min: 1, max: 1 },
    description: "Checks things.",
    flags,
    async run(parsed) {
      seen = parsed;
      return 0;
    },
  });
  return { command, seen: () => seen };
}

async function failure(args: string[]): Promise<CliError> {
  const err = await probe()
    .command.run(args)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(CliError);
  expect((err as CliError).exitCode).toBe(2);
  return err as CliError;
}

describe("defineCommand", () => {
  it("yields typed values with defaults, and the positionals", async () => {
    const p = probe();
    expect(await p.command.run(["in.csv", "--target", "http://127.0.0.1:9/", "--rate", "2.5", "--json"])).toBe(0);
    expect(p.seen()).toEqual({
      values: { port: 8088, rate: 2.5, target: "http://127.0.0.1:9", mode: "safe", tags: ["a", "b"], name: undefined, json: true },
      positionals: ["in.csv"],
    });
  });

  it("refuses bad values with a message that names the flag", async () => {
    const base = ["in.csv", "--target", "http://x"];
    expect((await failure([...base, "--port", "70000"])).message).toBe("--port: expected an integer in 0..65535, got '70000'");
    expect((await failure([...base, "--port", ""])).message).toBe("--port: expected an integer in 0..65535, got ''");
    expect((await failure([...base, "--rate", "0"])).message).toBe("--rate: expected a positive number, got '0'");
    expect((await failure([...base, "--mode", "warp"])).message).toBe("--mode: expected fast or safe, got 'warp'");
    expect((await failure(["in.csv", "--target", "ftp://x"])).message).toMatch(/^--target: 'ftp:\/\/x' must be an http/);
    expect((await failure(["in.csv"])).message).toMatch(/^--target is required\n\nUsage: fleximigrate probe FILE --target URL \[options\]/);
  });

  it("takes a list flag several times, with commas, or both; absent it is empty", async () => {
    let seen: unknown;
    const command = defineCommand({
      name: "lists",
      description: "Lists.",
      flags: {
        org: flag.list("ORG", "an organisation", (raw) => {
          if (!/^[A-Z]+$/.test(raw)) throw new Error(`expected capitals, got '${raw}'`);
          return raw;
        }),
        pca: flag.list("PUB", "a key"),
      },
      async run(parsed) {
        seen = parsed.values;
        return 0;
      },
    });
    await command.run(["--org", "ACME", "--org", "GLOBEX,INITECH"]);
    expect(seen).toEqual({ org: ["ACME", "GLOBEX", "INITECH"], pca: [] });
    await expect(command.run(["--org", "ACME,"])).rejects.toThrow("--org: empty item in 'ACME,'");
    await expect(command.run(["--org", "acme"])).rejects.toThrow("--org: expected capitals, got 'acme'");
  });

  it("gives a parse function's complaint the flag's name", async () => {
    const command = defineCommand({
      name: "p",
      description: "d",
      flags: { even: flag.parsed("N", "an even number", (raw) => {
        if (Number(raw) % 2 !== 0) throw new Error(`'${raw}' is odd`);
        return Number(raw);
      }) },
      run: async () => 0,
    });
    await expect(command.run(["--even", "3"])).rejects.toThrow(/^--even: '3' is odd$/);
  });

  it("refuses unknown flags, missing values and wrong argument counts, with the usage", async () => {
    expect((await failure(["in.csv", "--target", "http://x", "--bogus"])).message).toMatch(/^Unknown option '--bogus'\n\nUsage: /);
    expect((await failure(["in.csv", "--target"])).message).toMatch(/^Option '--target <value>' argument missing\n\nUsage: /);
    expect((await failure(["--target", "http://x"])).message).toMatch(/^missing argument\n\nUsage: /);
    expect((await failure(["a", "b", "--target", "http://x"])).message).toMatch(/^unexpected argument 'b'\n\nUsage: /);
  });

  it("prints its help on --help, whatever else is given, and exits 0", async () => {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const p = probe();
    expect(await p.command.run(["--bogus", "-h"])).toBe(0);
    expect(p.seen()).toBeUndefined();
    expect(out).toBe(p.command.usage);
  });
});

describe("helpText", () => {
  it("lists every flag with its placeholder, description, default and whether it is required", () => {
    const text = helpText({ name: "probe", synopsis: ["FILE", "check FILE"], description: "Checks things.", flags, epilog: "Exit status: 0." });
    expect(text).toBe(
      [
        "Usage: fleximigrate probe FILE --target URL [options]",
        "       fleximigrate probe check FILE --target URL [options]",
        "",
        "Checks things.",
        "",
        "Options:",
        "  --port N          TCP port (default 8088)",
        "  --rate R          requests per second",
        "  --target URL      where to send (required)",
        "  --mode fast|safe  how to go (default safe)",
        "  --tags LIST       comma list (default a,b)",
        "  --name NAME       who",
        "  --json            print JSON",
        "  -h, --help        show this help",
        "",
        "Exit status: 0.",
        "",
      ].join("\n"),
    );
  });

  it("indents the continuation lines of a description", () => {
    const text = helpText({ name: "x", description: "d", flags: { wide: flag.boolean("first line\nsecond line") } });
    expect(text).toContain("  --wide      first line\n              second line\n");
  });
});
