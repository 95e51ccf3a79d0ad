// The one-machine network of the closed loop: a pure plan and the shell that applies it.
export { planLoopnet, dpidOf } from "./plan.js";
export { applyPlan, removePlan, cleanLeftovers, listOurs, type LoopnetMade } from "./shell.js";
export { LoopnetError, DEFAULT_SERVICE_CIDR } from "./validate.js";
export type * from "./types.js";
