// Where the agent's client commands look for an agent when --agent is not given.
import * as flag from "../../src/cli/flags.js";

export const DEFAULT_AGENT_URL = "http://127.0.0.1:7701";

/** --agent URL, declared once for every client command of the agent. */
export const agentFlag = flag.url("agent base URL", { default: DEFAULT_AGENT_URL });
