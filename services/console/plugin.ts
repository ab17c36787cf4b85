import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { projectPath } from '../../lib/paths.js';

export interface ConsolePluginOptions {
  /** Folder of the built console; `services/console/dist` (from `npm run build:console`) by default. */
  root?: string;
}

/** From the project root, so the compiled service in dist/ serves the same folder as the sources. */
export const CONSOLE_DIST = projectPath('services', 'console', 'dist');

/**
 * Content-Security-Policy of the console: its own scripts, styles and feed only. The map and fonts are
 * bundled or system ones, so nothing else is ever needed (no CDN).
 */
const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anshin console not built</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em; max-width: 40em">
<h1>The operator console is not built</h1>
<p>Run <code>npm run build:console</code> (or <code>npm ci</code>, which builds it) and restart the service.</p>
<p>The API is up: <a href="/docs">/docs</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>
`;

const serveConsole: FastifyPluginAsync<ConsolePluginOptions> = async (app, opts) => {
  const root = opts.root ?? CONSOLE_DIST;
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'operator console not built: run `npm run build:console`');
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(MISSING));
    return;
  }
  // Encapsulated, and without reply decorators, so that it cannot clash with another @fastify/static
  // (swagger-ui registers its own).
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      // One route per built file, no `/*` catch-all: `/v1/*`, `/docs`, `/metrics` and `/healthz` stay
      // the service's, and an unknown path gets the service's 404. A rebuild needs a restart.
      wildcard: false,
      decorateReply: false,
      schemaHide: true,
      setHeaders(reply, path) {
        // Vite puts a content hash in every asset name: those never change; index.html always may.
        const hashed = path.includes('/assets/');
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        if (path.endsWith('.html')) {
          reply.header('content-security-policy', CSP);
          reply.header('x-content-type-options', 'nosniff');
          reply.header('referrer-policy', 'no-referrer');
        }
      },
    });
  });
};

/** Serves the operator console at `/` (issue 5). The service registers it with `app.register(consolePlugin)`. */
export const consolePlugin = fp(serveConsole, { name: 'console', fastify: '5.x' });
