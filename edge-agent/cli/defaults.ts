// Where the agent's client commands look for an agent when --agent is not given.
import * as flag from "../../src/cli/flags.js";
import { DEFAULT_AGENT_URL } from "../../src/clients/agent.js";

export { DEFAULT_AGENT_URL };

/** --agent URL, declared once for every client command of the agent. */
export const agentFlag = flag.url("agent base URL", { default: DEFAULT_AGENT_URL });
