// The NodeAdmission of data protection: a task with a Regulation may run only
// on a node whose attribute certificate is signed by a PCA we trust, is in its
// validity period now, and satisfies the regulation. Tasks without one may run
// anywhere (and are never asked about). With no trusted PCA, no certificate
// verifies: regulated tasks are refused, the others placed as always.
import type { TrustedPca } from "../../src/pca/keys.js";
import { admissionProblem } from "../../src/pca/regulation.js";
import { certificateVerifier } from "../../src/pca/verify.js";
import type { NodeAdmission } from "./types.js";

export function certificateAdmission(trusted: readonly TrustedPca[], now: () => Date): NodeAdmission {
  const verify = certificateVerifier(trusted);
  return {
    restricts: (request) => request.regulation !== undefined,
    refuse(request, node) {
      if (!request.regulation) return undefined;
      if (trusted.length === 0) return `node ${node.name}: the scheduler trusts no PCA (--trusted-pca), so no certificate verifies`;
      return admissionProblem(node, request.regulation, (cert, name) => verify(cert, name, now()));
    },
    certificateProblem(node) {
      if (trusted.length === 0) return "the scheduler trusts no PCA (--trusted-pca)";
      return admissionProblem(node, {}, (cert, name) => verify(cert, name, now()));
    },
  };
}
