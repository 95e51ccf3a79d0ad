// Is a node's attribute certificate good now? Well formed, issued for that
// node, signed by a PCA we trust, and in its validity period. Pure: the
// trusted keys and the time come in; the answer is the attributes or the reason.
import { type AttributeCertificatePayload, CertificateFormatError, parseCertificate } from "./certificate.js";
import { signatureValid, type TrustedPca } from "./keys.js";

export type Verdict = { ok: true; payload: AttributeCertificatePayload } | { ok: false; reason: string };

/** The certificate `cert` (parsed JSON) presented by node `node`, checked against `trusted` at `now`. */
export function verifyCertificate(cert: unknown, node: string, trusted: readonly TrustedPca[], now: Date): Verdict {
  const signed = checkSignature(cert, node, trusted);
  return signed.ok ? inPeriod(signed.payload, node, now) : signed;
}

/** Everything but the time: what a verifier may remember per certificate. */
function checkSignature(value: unknown, node: string, trusted: readonly TrustedPca[]): Verdict {
  let cert: ReturnType<typeof parseCertificate>;
  try {
    cert = parseCertificate(value);
  } catch (err) {
    if (err instanceof CertificateFormatError) return { ok: false, reason: `certificate of ${node} is malformed: ${err.message}` };
    throw err;
  }
  const { payload } = cert;
  if (payload.subject !== node) return { ok: false, reason: `certificate of ${node} was issued for node ${payload.subject}` };
  const pca = trusted.find((t) => t.id === payload.issuer);
  if (!pca) return { ok: false, reason: `certificate of ${node} not signed by a trusted PCA (issuer ${payload.issuer} is not one)` };
  // A changed attribute, or a signature by another key naming this PCA as issuer, ends here.
  if (!signatureValid(payload, cert.signature, pca.publicKey))
    return { ok: false, reason: `certificate of ${node} not signed by a trusted PCA (its signature does not verify with PCA ${pca.id}: forged or altered)` };
  return { ok: true, payload };
}

function inPeriod(payload: AttributeCertificatePayload, node: string, now: Date): Verdict {
  const t = now.getTime();
  if (t < Date.parse(payload.notBefore)) return { ok: false, reason: `certificate of ${node} not yet valid (from ${payload.notBefore})` };
  if (t >= Date.parse(payload.notAfter)) return { ok: false, reason: `certificate of ${node} expired (${payload.notAfter})` };
  return { ok: true, payload };
}

/**
 * verifyCertificate with the signature check remembered per certificate object
 * (a scan of many nodes for a regulated task then costs one Ed25519 check per
 * node, not one per decision); the validity period is checked every time.
 */
export function certificateVerifier(trusted: readonly TrustedPca[]): (cert: unknown, node: string, now: Date) => Verdict {
  const seen = new WeakMap<object, { node: string; verdict: Verdict }>();
  return (cert, node, now) => {
    if (typeof cert !== "object" || cert === null) return verifyCertificate(cert, node, trusted, now);
    let memo = seen.get(cert);
    if (!memo || memo.node !== node) {
      memo = { node, verdict: checkSignature(cert, node, trusted) };
      seen.set(cert, memo);
    }
    return memo.verdict.ok ? inPeriod(memo.verdict.payload, node, now) : memo.verdict;
  };
}
