// A Privacy Certificate Authority in memory for tests: its key pair, and
// certificates it issues for nodes (country, organisations, validity).
import type { AttributeCertificate } from "../../src/api-types/scheduler.js";
import { generateKeyPair, issueCertificate, type KeyPair, type TrustedPca, trustedPca } from "../../src/pca/keys.js";

export const DAY = 86_400_000;
/** The tests' "now". */
export const NOW = new Date("2026-06-01T12:00:00.000Z");

export interface TestPca {
  keys: KeyPair;
  trusted: TrustedPca;
  issue(node: string, opts?: { country?: string; organisations?: string[]; notBefore?: Date; notAfter?: Date }): AttributeCertificate;
}

export function testPca(): TestPca {
  const keys = generateKeyPair();
  return {
    keys,
    trusted: trustedPca(keys.publicKey),
    issue: (node, opts = {}) =>
      issueCertificate(keys.privateKey, {
        subject: node,
        country: opts.country ?? "DE",
        organisations: opts.organisations ?? ["ACME"],
        notBefore: opts.notBefore ?? new Date(NOW.getTime() - DAY),
        notAfter: opts.notAfter ?? new Date(NOW.getTime() + 30 * DAY),
        subjectKey: generateKeyPair().publicKey,
      }),
  };
}
