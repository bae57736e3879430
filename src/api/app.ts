/**
 * The HTTP API. `apiPlugin` holds the routes and may be registered in any Fastify instance;
 * `buildApi` makes the instance possync serves: error mapper, OpenAPI document (/docs/json),
 * reference page (/docs), then the plugin. The server's composition root can register more
 * plugins (the dashboard) on the returned instance before it listens.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Service } from '../engine/ports.ts';
import { keyCheck, requireApiKey } from './auth.ts';
import { installErrorHandling } from './errors.ts';
import { acceptEmptyJsonBodies, installValidators } from './parsing.ts';
import { OPTIONAL_BODY_FLAG } from './routes/common.ts';
import { healthRoutes } from './routes/health.ts';
import { itemRoutes } from './routes/items.ts';
import { saleRoutes } from './routes/sales.ts';
import { synchronizerRoutes } from './routes/synchronizer.ts';
import { webhookRoutes, webhookSetupRoutes } from './routes/webhooks.ts';
import { enforceResponseSchemas } from './strict.ts';

export interface ApiOptions {
  /** Accepted X-Api-Key values; empty = /api is open (bind to loopback then). */
  apiKeys: string[];
  logger?: boolean | object;
  /** possync's version, shown in /healthz and the OpenAPI document. */
  version: string;
  /** Tests: a response that does not match its schema (or an undeclared status) becomes a 500. */
  strictResponses?: boolean;
}

export interface ApiPluginOptions {
  service: Service;
  apiKeys: string[];
  version: string;
  strictResponses?: boolean;
}

/** Routes, parsing, validation and auth, encapsulated so they affect no sibling plugin. */
export async function apiPlugin(app: FastifyInstance, opts: ApiPluginOptions): Promise<void> {
  acceptEmptyJsonBodies(app);
  installValidators(app);
  if (opts.strictResponses) enforceResponseSchemas(app);
  const keys = keyCheck(opts.apiKeys);
  await app.register(healthRoutes, { service: opts.service, version: opts.version, keys });
  // Outside /api: a POS proves itself by signature or URL token, not by API key.
  await app.register(webhookRoutes, { service: opts.service });
  await app.register(async (api) => {
    api.addHook('onRequest', requireApiKey(keys));
    await api.register(itemRoutes, { service: opts.service });
    await api.register(synchronizerRoutes, { service: opts.service });
    await api.register(saleRoutes, { service: opts.service });
    await api.register(webhookSetupRoutes, { service: opts.service });
  }, { prefix: '/api' });
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
  '(401 otherwise). `/healthz` and `/docs` stay open. `/webhooks/*` take no key: each delivery',
  'is proven by the POS signature (Square) or the secret token in its URL (Hiboutik).',
].join('\n');

export async function buildApi(service: Service, options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: (options.logger ?? false) as FastifyServerOptions['logger'],
    // Unique across restarts, so an id quoted from a 500 finds one log line.
    genReqId: () => randomUUID(),
  });
  installErrorHandling(app);

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
  });
  return app;
}
