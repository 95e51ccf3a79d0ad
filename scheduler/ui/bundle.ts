// The dashboard's client, bundled by esbuild the first time a browser asks for
// it (then kept in memory): nothing generated is committed, and a scheduler
// that nobody opens the dashboard of pays nothing. The typed clients of src/
// run in the browser unchanged; the three Node modules they name, and the
// Node TLS client of src/http (tls-fetch.ts), are swapped for small browser
// stand-ins (client/shims/).
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const CLIENT = fileURLToPath(new URL("./client/", import.meta.url));

/** node:X imported by src/http (json-client, client-errors, correlation) -> its browser stand-in. */
const SHIMS: Record<string, string> = {
  "node:timers/promises": "timers-promises.ts",
  "node:http": "http.ts",
  "node:async_hooks": "async-hooks.ts",
};

const browserShims: Plugin = {
  name: "fleximigrate-browser-shims",
  setup(b) {
    // The browser makes its own TLS connections: the typed clients' TLS fetch becomes the page's fetch.
    b.onResolve({ filter: /\/tls-fetch\.js$/ }, () => ({ path: `${CLIENT}shims/tls-fetch.ts` }));
    b.onResolve({ filter: /^node:/ }, (args) => {
      const shim = SHIMS[args.path];
      if (!shim) return { errors: [{ text: `${args.path} has no browser stand-in (imported by ${args.importer})` }] };
      return { path: `${CLIENT}shims/${shim}` };
    });
  },
};

export interface Bundle {
  js: string;
  /** Bytes, for the log line. */
  size: number;
  ms: number;
}

/** Bundles client/main.ts for the browser (ES2022, minified). Rejects with esbuild's messages on an error. */
export async function bundleClient(): Promise<Bundle> {
  const started = performance.now();
  const out = await build({
    entryPoints: [`${CLIENT}main.ts`],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    plugins: [browserShims],
  });
  const js = out.outputFiles[0]!.text;
  return { js, size: Buffer.byteLength(js), ms: Math.round(performance.now() - started) };
}
