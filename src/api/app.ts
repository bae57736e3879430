/**
 * The HTTP API. `apiPlugin` holds the routes and may be registered in any Fastify instance;
 * `buildApi` makes the instance possync serves: error mapper, OpenAPI document (/docs/json),
 * reference page (/docs), then the plugin. The server's composition root can register more
 * plugins (the dashboard) on the returned instance before it listens.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Service } from '../engine/ports.ts';
import type { ServerLimits } from '../config/types.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { keyCheck, requireApiKey } from './auth.ts';
import { installErrorHandling, notFound } from './errors.ts';
import { acceptEmptyJsonBodies, installValidators, refuseTextBodies } from './parsing.ts';
import { logRequests } from './request-log.ts';
import { silentLogger, type Logger } from '../log.ts';
import { OPTIONAL_BODY_FLAG } from './routes/common.ts';
import { errors } from './schemas.ts';
import { healthRoutes, type MetricsSource } from './routes/health.ts';
import { itemRoutes } from './routes/items.ts';
import { itemManageRoutes } from './routes/items-manage.ts';
import { itemSourceRoutes } from './routes/item-sources.ts';
import { saleRoutes } from './routes/sales.ts';
import { synchronizerRoutes } from './routes/synchronizer.ts';
import { runRoutes } from './routes/runs.ts';
import { webhookRoutes, webhookSetupRoutes } from './routes/webhooks.ts';
import { enforceResponseSchemas } from './strict.ts';
import { refuseUnstorable } from './storable.ts';
import { dashboardPlugin } from '../dashboard/plugin.ts';
import type { DashboardDeps } from '../dashboard/env.ts';

export interface ApiOptions {
  /** Accepted X-Api-Key values; empty = /api is open (bind to loopback then). */
  apiKeys: string[];
  /** The service's logger; requests are logged under their id (default: silent). */
  logger?: Logger;
  /** Served at /metrics behind the API's key rule. */
  metrics?: MetricsSource;
  /** possync's version, shown in /healthz and the OpenAPI document. */
  version: string;
  /** Tests: a response that does not match its schema (or an undeclared status) becomes a 500. */
  strictResponses?: boolean;
  /** Timeouts and connection cap (default: the configuration's defaults). */
  limits?: ServerLimits;
  /** The dashboard at /hangfire (alias /dashboard), under the same keys; absent = no dashboard. */
  dashboard?: DashboardDeps & { readOnly: boolean };
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: DEFAULTS.headersTimeoutSeconds * 1000,
  requestTimeoutMs: DEFAULTS.requestTimeoutSeconds * 1000,
  keepAliveTimeoutMs: DEFAULTS.keepAliveTimeoutSeconds * 1000,
  maxConnections: DEFAULTS.maxConnections,
};

export interface ApiPluginOptions {
  service: Service;
  apiKeys: string[];
  version: string;
  strictResponses?: boolean;
  metrics?: MetricsSource;
}

/** Routes, parsing, validation and auth, encapsulated so they affect no sibling plugin. */
export async function apiPlugin(app: FastifyInstance, opts: ApiPluginOptions): Promise<void> {
  acceptEmptyJsonBodies(app);
  refuseTextBodies(app);
  installValidators(app);
  if (opts.strictResponses) enforceResponseSchemas(app);
  const keys = keyCheck(opts.apiKeys);
  await app.register(healthRoutes, { service: opts.service, version: opts.version, keys, ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  // Outside /api: a POS proves itself by signature or URL token, not by API key.
  await app.register(webhookRoutes, { service: opts.service });
  await app.register(async (api) => {
    api.addHook('onRequest', requireApiKey(keys));
    api.addHook('preValidation', refuseUnstorable);
    // Unknown /api paths answer 401 before 404, so routes cannot be probed without a key.
    api.setNotFoundHandler(notFound);
    api.addHook('onRoute', closeQueryStrings);
    await api.register(itemRoutes, { service: opts.service });
    await api.register(itemManageRoutes, { service: opts.service });
    await api.register(itemSourceRoutes, { service: opts.service });
    await api.register(synchronizerRoutes, { service: opts.service });
    await api.register(saleRoutes, { service: opts.service });
    await api.register(webhookSetupRoutes, { service: opts.service });
    await api.register(runRoutes, { service: opts.service });
  }, { prefix: '/api' });
}

/**
 * A query parameter no route reads (a typo, `state[]=…`) is refused with a 400 instead of being
 * silently ignored: every /api route gets a closed querystring schema (an empty one if it has none).
 */
function closeQueryStrings(route: RouteOptions): void {
  const schema = (route.schema ??= {});
  const declared = (schema.querystring ?? { type: 'object', properties: {} }) as Record<string, unknown>;
  schema.querystring = { ...declared, additionalProperties: false };
  if (schema.response) (schema.response as Record<string, unknown>)['400'] ??= errors[400];
}

/** OpenAPI marks every declared body as required; ours on flagged routes may be left out. */
function markOptionalBodies(document: Record<string, unknown>): Record<string, unknown> {
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation[OPTIONAL_BODY_FLAG] === undefined) continue;
      const requestBody = operation['requestBody'] as { required?: boolean } | undefined;
      if (requestBody) requestBody.required = false;
      delete operation[OPTIONAL_BODY_FLAG];
    }
  }
  return document;
}

const API_DESCRIPTION = [
  'Keeps an e-commerce database\'s stock in step with POS accounts. Paths and request bodies are',
  'those of EcommerceSynchronizer; answers are JSON. Errors are `{error, message, field?, details?}`.',
  '',
  '**Auth:** when API keys are configured, every `/api/*` route needs the header `X-Api-Key`',
  '(401 otherwise). `/healthz` and `/docs` stay open. The dashboard at `/hangfire` signs in with a key once',
  '(a session cookie); without keys it answers loopback addresses only. `/webhooks/*` take no key:',
  'each delivery is proven by the POS signature (Square) or the secret token in its URL (Hiboutik).',
].join('\n');

export async function buildApi(service: Service, options: ApiOptions): Promise<FastifyInstance> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const app = Fastify({
    // Typed as Fastify's base logger so the instance keeps its default type for the plugins.
    loggerInstance: (options.logger ?? silentLogger()) as FastifyBaseLogger,
    // One line per request (request-log.ts) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify gives each plugin 10 s to load; on a loaded machine (a restart beside a busy
    // database) @fastify/swagger-ui missed it and the service exited before listening.
    pluginTimeout: 120_000,
    // Fastify's defaults let a client that sends headers and stalls hold a connection forever.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past those timeouts (its default is every 30 s).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    // Unique across restarts, so an id quoted from a 500 finds its log lines.
    genReqId: () => randomUUID(),
  });
  // Connections past the cap are closed on arrival.
  app.server.maxConnections = limits.maxConnections;
  installErrorHandling(app);
  logRequests(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'possync API', version: options.version, description: API_DESCRIPTION },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'One of Server.ApiKeys; required only when keys are configured' },
        },
      },
      tags: [
        { name: 'items', description: 'Item mappings and their registration tasks' },
        { name: 'synchronizer', description: 'The polling schedule' },
        { name: 'sales', description: 'Online sales posted to the POS exactly once, and their ledger' },
        { name: 'runs', description: 'Runs the breaker held (read, apply, discard), undoing a run, resuming a paused account' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'webhooks', description: 'POS webhooks (outside /api: proven by signature or URL token) and their set-up' },
      ],
    },
    transformObject: (documentObject) =>
      markOptionalBodies(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, unknown>) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(apiPlugin, {
    service,
    apiKeys: options.apiKeys,
    version: options.version,
    strictResponses: options.strictResponses ?? false,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  if (options.dashboard) await app.register(dashboardPlugin, { ...options.dashboard, apiKeys: options.apiKeys });
  return app;
}
