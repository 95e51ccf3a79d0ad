// --policy NAME of `plan` and `scheduler`: one of the registered placement policies.
import { isPolicyName, POLICY_NAMES, type PolicyName } from "../placement/policies.js";

export function policyName(raw: string): PolicyName {
  if (!isPolicyName(raw)) throw new Error(`unknown policy '${raw}' (known: ${POLICY_NAMES.join(", ")})`);
  return raw;
}
