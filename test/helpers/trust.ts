// The trust flags of a service a test starts from the CLI: the caller's own
// --tls-dir when it gives one, else --insecure (the suites written before
// TLS talk plain HTTP to their services; docs/security.md lists them).
export function insecureUnlessTls(args: readonly string[]): string[] {
  return args.includes("--tls-dir") || args.includes("--insecure") ? [] : ["--insecure"];
}
