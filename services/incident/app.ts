import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { LockoutFeature } from '../../protocol/index.js';
import type { Config } from '../config.js';
import { coverageRoutes } from '../road-coverage/routes.js';
import { feedRoute } from './feed/ws-route.js';
import { httpLimits } from './http-limits.js';
import { auditRoutes } from '../audit/routes.js';
import { authPlugin } from '../identity/auth-plugin.js';
import { identityRoutes } from '../identity/routes.js';
import { errorsPlugin } from './plugins/errors.js';
import { inputLimitsPlugin } from './plugins/input-limits.js';
import { caseRoutes } from './routes/cases.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { sessionRoutes } from './routes/sessions.js';
import { vehicleRoutes } from './routes/vehicles.js';
import { dispatchRoutes } from './routes/dispatches.js';
import { trackRoutes } from './routes/track.js';
import { serviceCarRoutes } from './routes/service-cars.js';
import { statsRoutes } from './routes/stats.js';
import { contactRoutes } from './routes/contacts.js';
import { relayRoutes } from './routes/relay.js';
import { noteRoutes } from './routes/notes.js';
import type { IncidentService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    incident: IncidentService;
  }
}

export interface AppOptions {
  service: IncidentService;
  config: Config;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Extra plugins, e.g. the operator console served at `/`. */
  plugins?: FastifyPluginAsync[];
}

/** Builds the HTTP app; never listens (STYLE 2): tests use `inject`, the server file owns ports. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Request timeout, body limit, socket timeouts (HTTP_REQUEST_TIMEOUT_MS, HTTP_BODY_LIMIT_BYTES): http-limits.ts.
    ...httpLimits(options.config),
    // Per-request lines are off: ingest and operator actions log what happened, with case id and VIN.
    logController: new LogController({ disableRequestLogging: true }),
    // No type coercion: a body with {"enabled":"true"} is a client bug to report, not to guess at.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Router errors (a malformed percent-encoding in the path) skip the error handler: same body shape here.
    frameworkErrors: (err, _req, reply) => {
      void (reply as unknown as FastifyReply).status(400).send({ error: 'bad_request', message: err.message });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('incident', options.service);
  await app.register(errorsPlugin);
  await app.register(inputLimitsPlugin); // issue "No acknowledged emergency event lost": no body can poison the store
  // Before auth: its onRequest hook marks upgrade requests so that a refused (401) upgrade's socket is
  // destroyed after the reply; registered after auth, the refused socket stayed open and close() hung.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  // Issue 11: API_TOKEN, and with AUTH=on login tokens and roles (services/identity/auth-plugin.ts).
  await app.register(authPlugin, { config: options.config, identity: options.service.identity });
  // The OpenAPI document is generated from the protocol schemas the routes validate with.
  await app.register(swagger, {
    openapi: {
      info: { title: 'anshin emergency-call API', version: '1', description: 'Wire contract v1 (CONTRACT.md). Lockout features: ' + LockoutFeature.anyOf.map((f: { const: string }) => f.const).join(', ') },
      // Issue 11: /docs gets an Authorize button whenever the API asks for a token.
      ...openApiSecurity(options.config),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthRoutes, { checks: options.readiness });
  await app.register(caseRoutes);
  await app.register(sessionRoutes);
  await app.register(vehicleRoutes);
  await app.register(dispatchRoutes); // issue 12 parts 4 and 7
  await app.register(trackRoutes); // issue 12 part 6: the owner's tracking link (D4.6)
  await app.register(serviceCarRoutes); // issue 12 part 6: service cars' MQTT credentials
  await app.register(statsRoutes); // contract "Answer targets"
  await app.register(contactRoutes); // issue 12 part 5: contacts (D4.5)
  await app.register(relayRoutes); // issue 12 part 5: message relay (D4.5)
  await app.register(noteRoutes); // issue 14 part 2: notes on a case
  await app.register(identityRoutes);
  await app.register(auditRoutes);
  await app.register(coverageRoutes, { clock: options.service.clock }); // contract "Coverage"
  await app.register(feedRoute);
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app as unknown as FastifyInstance;
}

/** The bearer scheme, and how to get a token, when the API asks for one (AUTH=on, or API_TOKEN set). */
function openApiSecurity(config: Config) {
  if (config.AUTH !== 'on' && !config.API_TOKEN) return {};
  const description =
    config.AUTH === 'on'
      ? 'An operator token from POST /v1/auth/login (username and password), or the API_TOKEN (a service token with the admin role).'
      : 'The API_TOKEN the service was started with.';
  return { components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer', description } } }, security: [{ bearer: [] as string[] }] };
}
