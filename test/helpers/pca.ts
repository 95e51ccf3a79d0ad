// A Privacy Certificate Authority in memory for tests: its key pair, and
// certificates it issues for nodes (country, organisations, validity).
import type { KeyObject } from "node:crypto";
import type { AttributeCertificate, NodeRegistration, NodeSpec } from "../../src/api-types/scheduler.js";
import { generateKeyPair, issueCertificate, type KeyPair, type TrustedPca, trustedPca } from "../../src/pca/keys.js";
import { proveRegistration } from "../../src/pca/proof.js";

export const DAY = 86_400_000;
/** The tests' "now". */
export const NOW = new Date("2026-06-01T12:00:00.000Z");

type IssueOptions = { country?: string; organisations?: string[]; notBefore?: Date; notAfter?: Date };

export interface TestPca {
  keys: KeyPair;
  trusted: TrustedPca;
  issue(node: string, opts?: IssueOptions): AttributeCertificate;
  /** A certificate and the node's private key it certifies. */
  issueWithKey(node: string, opts?: IssueOptions): { cert: AttributeCertificate; key: KeyObject };
}

/** POST /v1/nodes body: `spec` with its certificate and the node key's proof, at `now`. */
export function registration(spec: NodeSpec, id: { cert: AttributeCertificate; key: KeyObject }, now = new Date()): NodeRegistration {
  const withCert = { ...spec, attributeCert: id.cert };
  return { ...withCert, proof: proveRegistration(withCert, id.cert, id.key, now) };
}

export function testPca(): TestPca {
  const keys = generateKeyPair();
  const issueWithKey = (node: string, opts: IssueOptions = {}) => {
    const nodeKeys = generateKeyPair();
    const cert = issueCertificate(keys.privateKey, {
      subject: node,
      country: opts.country ?? "DE",
      organisations: opts.organisations ?? ["ACME"],
      notBefore: opts.notBefore ?? new Date(NOW.getTime() - DAY),
      notAfter: opts.notAfter ?? new Date(NOW.getTime() + 30 * DAY),
      subjectKey: nodeKeys.publicKey,
    });
    return { cert, key: nodeKeys.privateKey };
  };
  return { keys, trusted: trustedPca(keys.publicKey), issue: (node, opts) => issueWithKey(node, opts).cert, issueWithKey };
}
