// `fleximigrate certs init|issue|token`: the project CA on files (pki.ts,
// with the system's openssl), a certificate per service, agent, admin,
// device and viewer, and bearer tokens for devices and people that cannot
// hold a certificate (token.ts: signed with the CA's own key, so every
// service holding ca.crt verifies them).
import { CliError } from "../cli/command.js";
import { defineCommand } from "../cli/define.js";
import * as flag from "../cli/flags.js";
import { printJson } from "../cli/output.js";
import { IdentityFormatError, parseIdentityName, parseRole, ROLES, TOKEN_ROLES, type TokenRole } from "./identity.js";
import { initCa, issueCertificate, PkiError } from "./pki.js";
import { readCaKey } from "./tls-dir.js";
import { signToken } from "./token.js";

const DAY_S = 86_400;

export const command = defineCommand({
  name: "certs",
  synopsis: ["init DIR", "issue DIR --role ROLE --name NAME [--host H …]", "token DIR --role device|admin|viewer --name NAME [--days N]"],
  positionals: { min: 2, max: 2 },
  description: `The project CA that every service, agent, admin and device proves itself
with (docs/security.md). Keys are ECDSA P-256, written mode 0600 and never
printed; X.509 through the system's openssl.

  init DIR    makes DIR (0700) with the CA: ca.key (0600) and ca.crt.
  issue DIR   a key and certificate for one identity: DIR/ROLE-NAME.key (0600)
              and DIR/ROLE-NAME.crt, the role and name in the subject (OU, CN)
              and in the SAN URI fleximigrate:ROLE:NAME. Roles: ${ROLES.join(", ")}.
              A service runs with --tls-dir DIR and reads its own: scheduler-
              scheduler, controller-controller, agent-NODE. The CLI reads
              admin-admin. --host adds names and addresses it is served on.
  token DIR   prints a bearer token for a device, admin or viewer that cannot
              hold a certificate: fmt1.PAYLOAD.SIGNATURE, the payload
              {role, name, iat, exp} signed with the CA's key (ECDSA P-256), so
              any service holding ca.crt verifies it. Send it as
              "Authorization: Bearer TOKEN".`,
  flags: {
    role: flag.string("ROLE", `issue: ${ROLES.join(", ")}; token: ${TOKEN_ROLES.join(", ")}`),
    name: flag.string("NAME", "the identity's name: the node name of an agent, the device id of a device"),
    host: flag.list("HOST", "issue: a DNS name or IP address the holder serves on (repeatable; localhost and 127.0.0.1 always)"),
    days: flag.number("N", "validity in days (issue: 825; token: no expiry unless given)", { positive: true, max: 36500 }),
    json: flag.boolean("print the result as JSON"),
  },
  epilog: "Bad input exits 2 with a message naming the flag or file. Nothing is ever overwritten.",
  async run(parsed) {
    const [action, dir] = parsed.positionals as [string, string];
    const v = parsed.values;
    try {
      if (action === "init") {
        const made = initCa(dir, v.days ? { days: v.days } : {});
        if (v.json) printJson({ ca: made.cert, key: made.key });
        else process.stdout.write(`CA ${made.cert}\n  private key ${made.key} (mode 0600; keep it secret: it issues certificates and tokens)\n`);
        return 0;
      }
      if (action === "issue") {
        const id = { role: parseRole(required(v.role, "role")), name: parseIdentityName(required(v.name, "name")) };
        const made = issueCertificate(dir, id, { hosts: v.host, ...(v.days ? { days: v.days } : {}) });
        if (v.json) printJson({ role: id.role, name: id.name, cert: made.cert, key: made.key });
        else process.stdout.write(`${id.role} ${id.name}: certificate ${made.cert}\n  private key ${made.key} (mode 0600)\n`);
        return 0;
      }
      if (action === "token") {
        const role = parseRole(required(v.role, "role"), TOKEN_ROLES) as TokenRole;
        const name = parseIdentityName(required(v.name, "name"));
        const iat = Math.floor(Date.now() / 1000);
        const token = signToken(readCaKey(dir), { role, name, iat, ...(v.days ? { exp: iat + Math.round(v.days * DAY_S) } : {}) });
        if (v.json) printJson({ role, name, token });
        else process.stdout.write(`${token}\n`);
        return 0;
      }
    } catch (err) {
      if (err instanceof IdentityFormatError) throw new CliError(`--${err.message.startsWith("expected a role") ? "role" : "name"}: ${err.message}`);
      if (err instanceof PkiError) throw new CliError(err.message, 1);
      throw err;
    }
    throw new CliError(`unknown action '${action}': expected init, issue or token\n\n${command.usage}`);
  },
});

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new CliError(`--${name} is required for this action\n\n${command.usage}`);
  return value;
}
