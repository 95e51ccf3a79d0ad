// Where the agent's client commands look for an agent when --agent is not given.
export const DEFAULT_AGENT_URL = "http://127.0.0.1:7701";
