// A throw-away CA and certificates signed by it (the system's openssl), for
// TLS tests and the OpenFlow-over-TLS bench: files in a 0700 folder the
// caller removes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface IssuedFiles {
  key: string;
  cert: string;
}

export class TestCa {
  readonly dir: string;
  readonly caCert: string;
  private readonly caKey: string;

  constructor(prefix: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), `${prefix}-ca-`));
    this.caKey = path.join(this.dir, "ca.key");
    this.caCert = path.join(this.dir, "ca.pem");
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", this.caKey, "-out", this.caCert, "-subj", `/CN=${prefix} test CA`, "-days", "1"]);
  }

  /** A key and a certificate for `cn`, signed by this CA. */
  issue(name: string, cn: string): IssuedFiles {
    const key = path.join(this.dir, `${name}.key`);
    const csr = path.join(this.dir, `${name}.csr`);
    const cert = path.join(this.dir, `${name}.pem`);
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${cn}`]);
    const ext = path.join(this.dir, `${name}.ext`);
    writeFileSync(ext, "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl(["x509", "-req", "-in", csr, "-CA", this.caCert, "-CAkey", this.caKey, "-CAcreateserial", "-out", cert, "-days", "1", "-extfile", ext]);
    return { key, cert };
  }

  pem(file: string): string {
    return readFileSync(file, "utf8");
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 });
}
