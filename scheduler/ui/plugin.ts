// GET /ui: the operators' live dashboard, served by the scheduler itself (no
// server of its own). Three static answers (the page, its stylesheet, its
// script bundled on first use, bundle.ts) and the read-only forward to the
// controller (controller-forward.ts). The page is a viewer: it only reads,
// through the services' public GET routes and WebSocket events.
import { readFileSync } from "node:fs";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorResponses } from "../../src/http/error-schema.js";
import { type Bundle, bundleClient } from "./bundle.js";
import { CONTROLLER_FORWARD_PREFIX, type ControllerForwardOptions, controllerForward } from "./controller-forward.js";

const STATIC = new URL("./static/", import.meta.url);

/** The page may load only what it is served here, and talk only back to this origin (HTTP and WebSocket). */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface UiPluginOptions extends ControllerForwardOptions {
  /** Bundles the client (tests may count or fail it); default: esbuild (bundle.ts). */
  bundle?: () => Promise<Bundle>;
}

export function uiPlugin(opts: UiPluginOptions = {}): FastifyPluginAsync {
  const html = readFileSync(new URL("index.html", STATIC), "utf8");
  const css = readFileSync(new URL("dashboard.css", STATIC), "utf8");
  let bundled: Promise<Bundle> | undefined;
  return async (app) => {
    const pageSchema = (summary: string) => ({ schema: { tags: ["ui"], summary, response: errorResponses(500) } });

    // /ui -> /ui/ so that the page's relative URLs (app.js, api/...) resolve under /ui/; a ?token= goes along.
    app.get("/ui", pageSchema("Dashboard: redirects to /ui/"), async (req, reply) => {
      const q = req.url.indexOf("?");
      return reply.redirect(`/ui/${q >= 0 ? req.url.slice(q) : ""}`, 302);
    });

    app.get("/ui/", pageSchema("Dashboard: the page (topology, nodes, migrations, flows and DNS, devices)"), async (_req, reply) =>
      reply.header("content-security-policy", CSP).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(html),
    );

    app.get("/ui/dashboard.css", pageSchema("Dashboard: its stylesheet"), async (_req, reply) => reply.header("cache-control", "no-cache").type("text/css; charset=utf-8").send(css));

    app.get("/ui/app.js", pageSchema("Dashboard: its script, bundled by esbuild at first request"), async (_req, reply) => {
      if (!bundled) {
        bundled = (opts.bundle ?? bundleClient)();
        bundled.then(
          (b) => app.log.info(`dashboard bundled: ${b.size} bytes in ${b.ms} ms`),
          () => {
            bundled = undefined; // the next request tries again
          },
        );
      }
      let b: Bundle;
      try {
        b = await bundled;
      } catch (err) {
        throw new ApiError(500, "INTERNAL", `the dashboard's script did not bundle: ${(err as Error).message}`);
      }
      return reply.header("cache-control", "no-cache").type("text/javascript; charset=utf-8").send(b.js);
    });

    await app.register(controllerForward(opts), { prefix: CONTROLLER_FORWARD_PREFIX });
  };
}
