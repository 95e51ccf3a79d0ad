// A policies file (YAML, or JSON which YAML 1.2 reads too) to a PolicySet
// (pure: text in, set or every problem out). The file is a list of policies,
// or {default: allow|deny, policies: [...]}, or one policy. Each policy has
// policy_name and the five parts; conditions and actions are parsed with
// their positions, so that a problem reads `FILE:LINE:COL: policy NAME: ...`.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap } from "yaml";
import { CONSTRAINT_RULES, effectsOf, parseAction, type PolicyAction, type PolicyConstraints } from "./actions.js";
import { type Policy, type PolicySet, sortPolicies } from "./engine.js";
import { PolicyFileError, type PolicyProblem, PolicySyntaxError } from "./errors.js";
import { parseCondition } from "./parser.js";
import { posInScalar, scalarStart } from "./positions.js";
import { CONTEXT_VARIABLES } from "./vocabulary.js";

const PARTS = ["policy_name", "CONTEXT", "CONDITIONS", "ACTIONS", "CONSTRAINTS", "PRIORITY"] as const;
const REQUIRED = ["policy_name", "CONTEXT", "CONDITIONS", "ACTIONS", "PRIORITY"];
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** Files larger than this are refused (a policies file is a page or two). */
export const MAX_POLICY_FILE_BYTES = 1 << 20;

export function loadPolicies(text: string, file: string): PolicySet {
  const problems: PolicyProblem[] = [];
  if (Buffer.byteLength(text) > MAX_POLICY_FILE_BYTES) throw new PolicyFileError([{ file, line: 1, col: 1, policy: null, message: `larger than ${MAX_POLICY_FILE_BYTES} bytes` }]);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyFileError(
      doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1, policy: null, message: `not valid YAML/JSON: ${e.message.split("\n")[0]}` })),
    );
  }
  const at = (node: unknown, policy: string | null, message: string) => {
    const p = scalarStart(lc, node as Node);
    problems.push({ file, line: p.line, col: p.col, policy, message });
  };
  const root = doc.contents;
  let list: Node | null = null;
  let defaultAction: "allow" | "deny" = "allow";
  if (isSeq(root)) list = root;
  else if (isMap(root) && root.has("policy_name")) list = null;
  else if (isMap(root)) {
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (key === "policies") list = pair.value as Node;
      else if (key === "default") {
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        if (v === "allow" || v === "deny") defaultAction = v;
        else at(pair.value, null, "default must be allow or deny");
      } else at(pair.key, null, `unknown key '${key}' (expected policies, default)`);
    }
    if (!list) at(root, null, "no 'policies' list");
  } else {
    at(root, null, "expected a list of policies, {policies: [...]}, or one policy");
  }
  const nodes = isMap(root) && root.has("policy_name") ? [root as Node] : isSeq(list) ? list.items : [];
  if (list && !isSeq(list)) at(list, null, "'policies' must be a list");
  const policies: Policy[] = [];
  const names = new Set<string>();
  for (const node of nodes) {
    const named = isMap(node) ? node.get("policy_name") : undefined;
    if (typeof named === "string") {
      if (names.has(named)) at(node, named, "a policy of this name comes earlier");
      names.add(named);
    }
    const p = readPolicy(node as Node, text, lc, file, problems);
    if (p) policies.push(p);
  }
  if (problems.length === 0 && nodes.length === 0 && list) at(list, null, "no policies");
  if (problems.length > 0) throw new PolicyFileError(problems);
  return { defaultAction, policies: sortPolicies(policies) };
}

function readPolicy(node: Node, src: string, lc: LineCounter, file: string, problems: PolicyProblem[]): Policy | undefined {
  const before = problems.length;
  const add = (at: { line: number; col: number }, policy: string | null, message: string) => problems.push({ file, ...at, policy, message });
  if (!isMap(node)) {
    add(scalarStart(lc, node), null, "a policy must be a mapping with policy_name, CONTEXT, CONDITIONS, ACTIONS, CONSTRAINTS, PRIORITY");
    return undefined;
  }
  const map = node as YAMLMap<unknown, unknown>;
  const nameNode = map.get("policy_name", true) as Node | undefined;
  const nameValue = isScalar(nameNode) ? nameNode.value : undefined;
  const name = typeof nameValue === "string" && NAME.test(nameValue) ? nameValue : null;
  const here = (n: unknown) => scalarStart(lc, n as Node);
  if (nameNode !== undefined && name === null) add(here(nameNode), null, "policy_name must be a name (letters, digits, _ . -; at most 64)");
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!(PARTS as readonly string[]).includes(key)) add(here(pair.key), name, `unknown part '${key}' (expected ${PARTS.join(", ")})`);
  }
  for (const part of REQUIRED) if (!map.has(part)) add(here(node), name, `missing ${part}`);

  // CONTEXT: known variables, each once.
  const context: string[] = [];
  const ctxNode = map.get("CONTEXT", true) as Node | undefined;
  if (ctxNode !== undefined) {
    if (!isSeq(ctxNode)) add(here(ctxNode), name, "CONTEXT must be a list of names");
    else
      for (const item of ctxNode.items) {
        const v = isScalar(item) ? item.value : undefined;
        if (typeof v !== "string" || !CONTEXT_VARIABLES.has(v)) {
          add(here(item), name, `unknown context variable ${JSON.stringify(v ?? null)} (known: ${[...CONTEXT_VARIABLES.keys()].join(", ")})`);
        } else if (context.includes(v)) add(here(item), name, `${v} declared twice in CONTEXT`);
        else context.push(v);
      }
  }

  // CONDITIONS: parsed against CONTEXT, positions mapped into the file.
  const condNode = map.get("CONDITIONS", true) as Node | undefined;
  let conditions = "";
  let expr: Policy["expr"] | undefined;
  if (condNode !== undefined) {
    const v = isScalar(condNode) ? condNode.value : undefined;
    if (typeof v === "boolean") conditions = String(v);
    else if (typeof v === "string") conditions = v;
    else add(here(condNode), name, "CONDITIONS must be a string (the condition)");
    if (typeof v === "string" || typeof v === "boolean") {
      try {
        expr = parseCondition(conditions, new Set(context));
      } catch (err) {
        if (!(err instanceof PolicySyntaxError)) throw err;
        add(posInScalar(src, lc, condNode as Scalar, err.pos), name, `CONDITIONS: ${err.message}`);
      }
    }
  }

  // ACTIONS: each a written action.
  const actions: PolicyAction[] = [];
  const actNode = map.get("ACTIONS", true) as Node | undefined;
  if (actNode !== undefined) {
    if (!isSeq(actNode) || actNode.items.length === 0) add(here(actNode), name, "ACTIONS must be a non-empty list");
    else
      for (const item of actNode.items) {
        const v = isScalar(item) ? item.value : undefined;
        if (typeof v !== "string") {
          add(here(item), name, 'ACTIONS: each action is written as text, e.g. set_priority("high")');
          continue;
        }
        try {
          actions.push(parseAction(v));
        } catch (err) {
          if (!(err instanceof PolicySyntaxError)) throw err;
          add(posInScalar(src, lc, item as Scalar, err.pos), name, `ACTIONS: ${err.message}`);
        }
      }
  }

  // CONSTRAINTS: known keys, numbers in range.
  const constraints: PolicyConstraints = {};
  const conNode = map.get("CONSTRAINTS", true) as Node | undefined;
  if (conNode !== undefined && !(isScalar(conNode) && conNode.value === null)) {
    if (!isMap(conNode)) add(here(conNode), name, "CONSTRAINTS must be a mapping");
    else
      for (const pair of conNode.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        const rule = Object.hasOwn(CONSTRAINT_RULES, key) ? CONSTRAINT_RULES[key as keyof PolicyConstraints] : undefined;
        if (!rule) {
          add(here(pair.key), name, `unknown constraint '${key}' (known: ${Object.keys(CONSTRAINT_RULES).join(", ")})`);
          continue;
        }
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof v !== "number" || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v)) || v < rule.min || v > rule.max) {
          add(here(pair.value), name, `${key} must be ${rule.integer ? "an integer" : "a number"} from ${rule.min} to ${rule.max}`);
          continue;
        }
        constraints[key as keyof PolicyConstraints] = v;
      }
  }

  const prioNode = map.get("PRIORITY", true) as Node | undefined;
  const priority = isScalar(prioNode) ? prioNode.value : undefined;
  if (prioNode !== undefined && (typeof priority !== "number" || !Number.isInteger(priority) || Math.abs(priority) > 1_000_000)) {
    add(here(prioNode), name, "PRIORITY must be an integer (higher is tried first)");
  }

  let effects: Policy["effects"] | undefined;
  try {
    effects = effectsOf(actions, constraints);
  } catch (err) {
    add(here(actNode), name, `ACTIONS: ${(err as Error).message}`);
  }
  if (problems.length > before || !name || !expr || !effects) return undefined;
  return { name, context, conditions, at: here(condNode), expr, actions, constraints, priority: priority as number, effects };
}
