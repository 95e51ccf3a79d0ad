// The service clients as the CLI's commands use them: a failed call becomes
// a CliError (exit 1) that says what to check, so no command handles it.
import { AgentClient } from "../clients/agent.js";
import { ControllerClient } from "../clients/controller.js";
import { SchedulerClient } from "../clients/scheduler.js";
import { ServiceUnreachable, type ServiceError } from "../http/client-errors.js";
import { CliError } from "./command.js";

function toCliError(err: ServiceUnreachable | ServiceError): CliError {
  if (err instanceof ServiceUnreachable) return new CliError(`cannot reach ${err.origin} (${err.reason}); is the service running? (${err.service})`, 1);
  return new CliError(err.message, 1);
}

export const controllerAt = (baseUrl: string) => new ControllerClient(baseUrl, { mapError: toCliError });
export const agentAt = (baseUrl: string) => new AgentClient(baseUrl, { mapError: toCliError });
export const schedulerAt = (baseUrl: string) => new SchedulerClient(baseUrl, { mapError: toCliError });
