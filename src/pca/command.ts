// `fleximigrate pca init|issue|verify`: a Privacy Certificate Authority on
// files. init makes its Ed25519 key pair; issue signs a node's attribute
// certificate (country, organisations, validity, the node's public key);
// verify checks one against the PCAs given, and optionally a regulation.
import path from "node:path";
import { CliError } from "../cli/command.js";
import { defineCommand } from "../cli/define.js";
import * as flag from "../cli/flags.js";
import { printJson } from "../cli/output.js";
import { CertificateFormatError, countryCode, NODE_NAME, organisationList } from "./certificate.js";
import { issueCertificate, trustedPca } from "./keys.js";
import { initPca, PCA_KEY, PcaFileError, readCertificate, readPrivateKey, readPublicKey, writeCertificate, writeKeyPair } from "./files.js";
import { regulationInputProblem, regulationProblem } from "./regulation.js";
import { verifyCertificate } from "./verify.js";

const DAY_MS = 86_400_000;

export const command = defineCommand({
  name: "pca",
  synopsis: ["init DIR", "issue --pca DIR --node NAME --country CC --org ORG --out FILE", "verify FILE --pca PUB"],
  positionals: { min: 1, max: 2 },
  description: `A Privacy Certificate Authority (PCA): it certifies in which country a node
runs and for which organisations, so the scheduler places regulated tasks only
where their regulation allows (docs/data-protection.md). Signatures are Ed25519
(node:crypto).

  init DIR     writes DIR/pca.key (private, mode 0600) and DIR/pca.pub; prints
               the PCA's key id. Never overwrites a key.
  issue        signs a node's attribute certificate into --out. The node's public
               key comes from --node-key PUB; without it a node key pair is made
               beside --out (FILE.key, mode 0600, and FILE.pub). The node's agent
               presents the certificate with the private key:
               agent --attribute-cert FILE.json --node-key FILE.key
  verify FILE  checks the certificate against the PCAs given with --pca (their
               .pub files): well formed, signed by one of them, valid now (or at
               --at); with --country/--org, also that it satisfies that regulation.
               Exit 0 when it verifies, 1 with the reason when not.

Private keys are never printed; a key file readable by others is refused.`,
  flags: {
    pca: flag.list("DIR|PUB", "issue: the PCA's directory (from init); verify: a trusted PCA public key (repeatable)"),
    node: flag.parsed("NAME", "issue: the node's name (as it registers with the scheduler)", nodeName),
    country: flag.list("CC", "issue: the node's country (ISO 3166-1 alpha-2, e.g. DE); verify: an allowed country (repeatable)"),
    org: flag.list("ORG", "issue: an organisation the node is certified for; verify: one the regulation requires (repeatable)"),
    days: flag.number("N", "issue: the certificate is valid for N days from --not-before", { positive: true, max: 36500, default: 365 }),
    "not-before": flag.parsed("TIME", "issue: start of validity, ISO time (default now)", isoTime),
    "node-key": flag.string("PUB", "issue: the node's Ed25519 public key (PEM); default: make a key pair beside --out"),
    out: flag.string("FILE", "issue: where to write the certificate (JSON)"),
    at: flag.parsed("TIME", "verify: check validity at this ISO time instead of now", isoTime),
    json: flag.boolean("print the result as JSON"),
  },
  epilog: "Bad input exits 2 with a message naming the flag or file.",
  async run(parsed) {
    const [action, arg] = parsed.positionals;
    try {
      if (action === "init") return init(arg, parsed.values);
      if (action === "issue") return issue(arg, parsed.values);
      if (action === "verify") return verify(arg, parsed.values);
    } catch (err) {
      if (err instanceof PcaFileError || err instanceof CertificateFormatError) throw new CliError(err.message);
      throw err;
    }
    throw new CliError(`unknown action '${action}': expected init, issue or verify\n\n${command.usage}`);
  },
});

interface Values {
  pca: string[];
  node: string | undefined;
  country: string[];
  org: string[];
  days: number;
  "not-before": Date | undefined;
  "node-key": string | undefined;
  out: string | undefined;
  at: Date | undefined;
  json: boolean;
}

function init(dir: string | undefined, v: Values): number {
  if (!dir) throw new CliError("pca init needs a directory: fleximigrate pca init DIR");
  const made = initPca(dir);
  if (v.json) printJson({ id: made.id, privateKey: made.keyFile, publicKey: made.pubFile });
  else process.stdout.write(`PCA ${made.id}\n  private key ${made.keyFile} (mode 0600; keep it secret)\n  public key  ${made.pubFile} (give it to schedulers: --trusted-pca)\n`);
  return 0;
}

function issue(extra: string | undefined, v: Values): number {
  if (extra !== undefined) throw new CliError(`pca issue takes no argument (got '${extra}')`);
  const dir = single(v.pca, "pca", "the PCA's directory");
  const node = required(v.node, "node");
  const out = required(v.out, "out");
  const country = wrap("country", () => countryCode(single(v.country, "country", "the node's country"), "the country"));
  const organisations = wrap("org", () => organisationList(v.org, "--org"));
  const pcaKey = readPrivateKey(path.join(dir, PCA_KEY));
  let nodeKeyNote: string;
  let subjectKey: ReturnType<typeof readPublicKey>;
  if (v["node-key"]) {
    subjectKey = readPublicKey(v["node-key"]);
    nodeKeyNote = `node key ${v["node-key"]}`;
  } else {
    const base = out.replace(/\.json$/, "");
    const made = writeKeyPair(base);
    subjectKey = readPublicKey(made.pubFile);
    nodeKeyNote = `node key pair ${made.keyFile} (mode 0600) and ${made.pubFile}`;
  }
  const notBefore = v["not-before"] ?? new Date();
  const notAfter = new Date(notBefore.getTime() + v.days * DAY_MS);
  const cert = issueCertificate(pcaKey, { subject: node, country, organisations, notBefore, notAfter, subjectKey });
  writeCertificate(out, cert);
  if (v.json) printJson({ certificate: out, payload: cert.payload });
  else
    process.stdout.write(
      `certificate ${out}: node ${node}, country ${country}, organisations [${cert.payload.organisations.join(", ")}]\n` +
        `  valid ${cert.payload.notBefore} .. ${cert.payload.notAfter}, issuer ${cert.payload.issuer}\n  ${nodeKeyNote}\n`,
    );
  return 0;
}

function verify(file: string | undefined, v: Values): number {
  if (!file) throw new CliError("pca verify needs a certificate file: fleximigrate pca verify FILE --pca PUB");
  if (v.pca.length === 0) throw new CliError("--pca PUB is required: the public key of a PCA you trust");
  const trusted = v.pca.map((f) => trustedPca(readPublicKey(f)));
  const cert = readCertificate(file);
  const node = v.node ?? cert.payload.subject;
  const at = v.at ?? new Date();
  const regulation = {
    ...(v.country.length > 0 ? { countries: v.country } : {}),
    ...(v.org.length > 0 ? { organisations: v.org } : {}),
  };
  const regulated = Object.keys(regulation).length > 0;
  if (regulated) {
    const bad = regulationInputProblem(regulation);
    if (bad) throw new CliError(bad);
  }
  const verdict = verifyCertificate(cert, node, trusted, at);
  const reason = verdict.ok ? (regulated ? regulationProblem(node, verdict.payload, regulation) : undefined) : verdict.reason;
  if (v.json) printJson({ ok: reason === undefined, ...(reason ? { reason } : {}), payload: cert.payload, trusted: trusted.map((t) => t.id) });
  else if (reason) process.stdout.write(`REFUSED ${file}: ${reason}\n`);
  else
    process.stdout.write(
      `OK ${file}: node ${node}, country ${cert.payload.country}, organisations [${cert.payload.organisations.join(", ")}], ` +
        `signed by PCA ${cert.payload.issuer}, valid until ${cert.payload.notAfter}${regulated ? ", satisfies the regulation" : ""}\n`,
    );
  return reason ? 1 : 0;
}

function nodeName(raw: string): string {
  if (!NODE_NAME.test(raw)) throw new Error(`expected a node name (letters, digits, . _ -), got '${raw}'`);
  return raw;
}

function isoTime(raw: string): Date {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new Error(`expected an ISO time (2026-01-31T00:00:00Z), got '${raw}'`);
  return new Date(t);
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new CliError(`--${name} is required for this action\n\n${command.usage}`);
  return value;
}

function single(values: string[], name: string, what: string): string {
  if (values.length !== 1) throw new CliError(`--${name}: give exactly one (${what})`);
  return values[0]!;
}

function wrap<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CertificateFormatError) throw new CliError(`--${name}: ${err.message}`);
    throw err;
  }
}
