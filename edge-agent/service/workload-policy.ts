// What a workload may run on this agent: commands and images from the agent's
// allow-list only, and no environment variable that changes how a program is
// loaded. Pure: the executables are resolved by the caller (allow-list.ts).
//
// An allowed command is a prefix of words: the first is an executable (compared
// by its resolved, real path), the others must equal the request's next words
// in order (`*` in a word matches any characters but `/`); any further words
// are the program's own arguments. `/bin/sleep` allows sleep with any
// arguments; `node /srv/app.mjs` allows that script only, not `node -e ...`.

export interface AllowedCommand {
  /** As configured, for messages. */
  readonly text: string;
  /** The executable's real path. */
  readonly executable: string;
  /** The words that must follow it. */
  readonly args: readonly string[];
}

export interface WorkloadAllowList {
  readonly commands: readonly AllowedCommand[];
  /** Image names; `*` matches any characters but `/`; a name without a tag also allows its tags and digests. */
  readonly images: readonly string[];
}

/**
 * Variables that make a program load code it was not given: the dynamic
 * loader's (every LD_*, and what glibc drops for set-uid programs), the
 * interpreters' preload and search paths, and the shells' start-up files.
 * PATH too: the command was checked against the agent's own PATH.
 */
const REFUSED_ENV = new Set([
  "PATH",
  "GCONV_PATH",
  "GETCONF_DIR",
  "GLIBC_TUNABLES",
  "HOSTALIASES",
  "LOCALDOMAIN",
  "LOCPATH",
  "MALLOC_TRACE",
  "NIS_PATH",
  "NLSPATH",
  "RESOLV_HOST_CONF",
  "RES_OPTIONS",
  "TZDIR",
  "NODE_OPTIONS",
  "NODE_PATH",
  "NODE_EXTRA_CA_CERTS",
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONSTARTUP",
  "PYTHONINSPECT",
  "PYTHONUSERBASE",
  "PERL5LIB",
  "PERL5OPT",
  "PERLLIB",
  "RUBYLIB",
  "RUBYOPT",
  "BASH_ENV",
  "ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "IFS",
  "CDPATH",
]);

/** `body/env/NAME: ...` for the first variable a workload may not set; null when all may be set. */
export function envProblem(env: Readonly<Record<string, string>> | undefined): string | null {
  for (const name of Object.keys(env ?? {})) {
    if (name.startsWith("LD_") || REFUSED_ENV.has(name) || name.startsWith("BASH_FUNC_")) {
      return `body/env/${name}: a workload may not set ${name} (it changes which code a program loads)`;
    }
  }
  return null;
}

/** Whether `argv`, whose first word resolved to `executable` (a real path), is allowed. */
export function commandAllowed(argv: readonly string[], executable: string, list: WorkloadAllowList): boolean {
  return list.commands.some((c) => c.executable === executable && c.args.length <= argv.length - 1 && c.args.every((word, i) => wordMatches(word, argv[i + 1]!)));
}

export function imageAllowed(image: string, list: WorkloadAllowList): boolean {
  return list.images.some((entry) => {
    if (wordMatches(entry, image)) return true;
    // "busybox" allows "busybox:1.36" and "busybox@sha256:..." too; "busybox:1.36" allows that tag only.
    const bare = !/[:@]/.test(entry.slice(entry.lastIndexOf("/") + 1));
    return bare && /^[:@]/.test(image.slice(entry.length)) && wordMatches(entry, image.slice(0, entry.length)) && !image.slice(entry.length).includes("/");
  });
}

/** `*` matches any run of characters but `/`; everything else matches itself. */
export function wordMatches(pattern: string, word: string): boolean {
  if (!pattern.includes("*")) return pattern === word;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[^/]*")}$`);
  return re.test(word);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An allow-list entry as the flag gives it: words separated by spaces. */
export function splitCommandEntry(raw: string): string[] {
  const words = raw.trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new Error("an allowed command needs at least an executable");
  return words;
}
