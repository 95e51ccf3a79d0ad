// A workload's Regulation against a node's certified attributes: the node's
// country must be one the regulation allows, and the node must be certified
// for every organisation that uses the workload. Pure.
import type { Regulation } from "../api-types/scheduler.js";
import type { AttributeCertificatePayload } from "./certificate.js";
import { CertificateFormatError, countryCode, organisationList } from "./certificate.js";
import type { Verdict } from "./verify.js";

export type { Regulation };

/** Why `payload`'s node may not run a workload under `regulation`, or undefined when it may. */
export function regulationProblem(node: string, payload: AttributeCertificatePayload, regulation: Regulation): string | undefined {
  const { countries, organisations } = regulation;
  if (countries && !countries.includes(payload.country))
    return `node ${node}: country ${payload.country} not allowed by regulation [${countries.join(", ")}]`;
  for (const org of organisations ?? []) {
    if (!payload.organisations.includes(org))
      return `node ${node}: organisation ${org} of the regulation not among the node's [${payload.organisations.join(", ")}]`;
  }
  return undefined;
}

/**
 * Why `node` may not run a workload under `regulation`: no certificate, the
 * certificate does not verify now (`verify`), or its attributes do not satisfy
 * the regulation. Undefined when it may.
 */
export function admissionProblem(
  node: { name: string; attributeCert?: unknown },
  regulation: Regulation,
  verify: (cert: unknown, node: string) => Verdict,
): string | undefined {
  if (node.attributeCert === undefined) return `node ${node.name} presents no attribute certificate`;
  const verdict = verify(node.attributeCert, node.name);
  if (!verdict.ok) return verdict.reason;
  return regulationProblem(node.name, verdict.payload, regulation);
}

/** A regulation as a client sent it, checked beyond its JSON schema: real country codes, no duplicates, something to regulate. */
export function regulationInputProblem(regulation: Regulation): string | undefined {
  try {
    if (regulation.countries === undefined && regulation.organisations === undefined) return "regulation must name countries or organisations";
    if (regulation.countries !== undefined) {
      if (regulation.countries.length === 0) return "regulation.countries must not be empty";
      for (const c of regulation.countries) countryCode(c, "regulation.countries");
      if (new Set(regulation.countries).size !== regulation.countries.length) return "regulation.countries lists a country twice";
    }
    if (regulation.organisations !== undefined) organisationList(regulation.organisations, "regulation.organisations");
  } catch (err) {
    if (err instanceof CertificateFormatError) return err.message;
    throw err;
  }
  return undefined;
}
