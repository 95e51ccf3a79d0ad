// The service clients as the CLI's commands use them: a failed call becomes
// a CliError (exit 1) that says what to check, so no command handles it.
// Each presents the admin certificate of the trust directory
// (FLEXIMIGRATE_TLS_DIR, else the state folder's tls/; src/cli/trust-flags.ts)
// when there is one; https:// services need it, http:// (--insecure) ones ignore it.
import { AgentClient } from "../clients/agent.js";
import { ControllerClient } from "../clients/controller.js";
import { SchedulerClient } from "../clients/scheduler.js";
import { ServiceUnreachable, type ServiceError } from "../http/client-errors.js";
import { CliError } from "./command.js";
import { clientTrust } from "./trust-flags.js";

function toCliError(err: ServiceUnreachable | ServiceError): CliError {
  if (err instanceof ServiceUnreachable) return new CliError(`cannot reach ${err.origin} (${err.reason}); is the service running? (${err.service})`, 1);
  if (err.status === 401) return new CliError(`${err.message} (the CLI presents the admin certificate of FLEXIMIGRATE_TLS_DIR or the state folder's tls/)`, 1);
  return new CliError(err.message, 1);
}

/** The admin's TLS, read once per command. */
function tlsOption(): { tls?: NonNullable<ReturnType<typeof clientTrust>> } {
  const tls = clientTrust();
  return tls ? { tls } : {};
}

export const controllerAt = (baseUrl: string) => new ControllerClient(baseUrl, { mapError: toCliError, ...tlsOption() });
export const agentAt = (baseUrl: string) => new AgentClient(baseUrl, { mapError: toCliError, ...tlsOption() });
export const schedulerAt = (baseUrl: string) => new SchedulerClient(baseUrl, { mapError: toCliError, ...tlsOption() });
/** For callers that build a client with options of their own (logs: per-agent timeouts). */
export const cliTls = tlsOption;
