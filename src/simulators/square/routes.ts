import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SquareApiError, fromFastifyError, insufficientScopes, invalidRequest, unauthorized } from './errors.ts';
import type { SquareContext, SquareRouteConfig } from './context.ts';
import { requestProblemsError } from './validation.ts';
import { VERSION_PATTERN } from './switches.ts';
import { registerInventoryRoutes } from './routes-inventory.ts';
import { registerCatalogRoutes } from './routes-catalog.ts';
import { registerAccountRoutes } from './routes-account.ts';

/**
 * The Square API surface: auth, Square-Version, spec checks and Square-shaped errors around every
 * /v2 route. Registered inside the kit's scope, so injected faults and stats still apply first.
 */
export async function registerSquareRoutes(scope: FastifyInstance, ctx: SquareContext): Promise<void> {
  await scope.register(async (api) => {
    api.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
      const failure = error instanceof SquareApiError ? error : fromFastifyError(error);
      return reply.code(failure.statusCode).headers(failure.headers).send({ errors: failure.errors });
    });

    // Every answer, injected faults included, echoes the version it ran at.
    api.addHook('onSend', async (request, reply, payload) => {
      const header = request.headers['square-version'];
      reply.header('square-version', typeof header === 'string' && VERSION_PATTERN.test(header) ? header : ctx.switches.squareVersion);
      return payload;
    });

    api.addHook('onRequest', async (request) => {
      const auth = request.headers.authorization;
      if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) throw unauthorized('This request could not be authorized: send Authorization: Bearer <access token>.');
      if (auth.slice('Bearer '.length).trim() !== ctx.accessToken()) throw unauthorized('This request could not be authorized: the access token is not valid.');
      const version = request.headers['square-version'];
      if (version !== undefined && (typeof version !== 'string' || !VERSION_PATTERN.test(version))) {
        throw invalidRequest('INVALID_SQUARE_VERSION_FORMAT', `Square-Version must look like YYYY-MM-DD (got ${JSON.stringify(version)}).`);
      }
      const scopeNeeded = (request.routeOptions.config as SquareRouteConfig | undefined)?.scope;
      if (scopeNeeded !== undefined && !ctx.switches.scopes.has(scopeNeeded)) throw insufficientScopes(scopeNeeded);
    });

    if (ctx.validator !== null) {
      const validator = ctx.validator;
      api.addHook('preHandler', async (request) => {
        if (request.method === 'GET' || request.method === 'DELETE') return;
        const problems = validator.validateRequestBody(request.method, pathOf(request), request.body);
        if (problems.length > 0) throw requestProblemsError(problems);
      });
      api.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        const path = pathOf(request);
        if (validator.findOperation(request.method, path) === null) return payload;
        const problems = validator.validateResponseBody(request.method, path, reply.statusCode, payload);
        if (problems.length > 0) {
          ctx.violations.push({ at: new Date(ctx.kit.clock.now()).toISOString(), method: request.method, path, status: reply.statusCode, problems });
        }
        return payload;
      });
    }

    registerInventoryRoutes(api, ctx);
    registerCatalogRoutes(api, ctx);
    registerAccountRoutes(api, ctx);
  });
}

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? request.url;
