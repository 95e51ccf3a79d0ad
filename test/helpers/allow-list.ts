// What the test suites' agents may run: the fixtures are shell scripts,
// sleep, Python servers and this Node. An agent's default allows only the
// shipped image server, so every suite that starts other workloads says so.
import type { AllowListConfig } from "../../edge-agent/service/allow-list.js";

// Both pythons: the first python3 on PATH here is not Debian's /usr/bin/python3 the fixtures name.
const COMMANDS = ["sh", "sleep", "true", "python3", "/usr/bin/python3", process.execPath];

export const TEST_ALLOW: AllowListConfig = { commands: COMMANDS.map((c) => [c]), images: ["fleximigrate/*", "fmp-bench-py", "busybox"] };

/** The same as `agent` flags. */
export const TEST_ALLOW_FLAGS = ["--allow-command", COMMANDS.join(","), "--allow-image", TEST_ALLOW.images.join(",")];
