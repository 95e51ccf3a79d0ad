// Where the agent's client commands look for an agent when --agent is not given.
export { DEFAULT_AGENT_URL } from "../../src/clients/agent.js";
