import type { FastifyRequest } from 'fastify';
import type { SimulatorKit } from '../kit/server.ts';
import type { SquareState } from './state.ts';
import type { SquareWebhooks } from './webhooks.ts';
import type { SquareSwitches, SquareScope } from './switches.ts';
import type { SpecViolation, SquareSpecValidator } from './validation.ts';

/** What the route modules share. */
export interface SquareContext {
  kit: SimulatorKit;
  state: SquareState;
  webhooks: SquareWebhooks;
  switches: SquareSwitches;
  accessToken(): string;
  validator: SquareSpecValidator | null;
  violations: SpecViolation[];
}

/** Per-route config read by the auth hook. */
export interface SquareRouteConfig {
  scope?: SquareScope;
}

// Route config is one global Fastify type; once any plugin (e.g. @fastify/swagger) adds fields to
// it, routes may only pass declared ones, so the simulator declares its own.
declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: SquareScope;
  }
}

/** The Square-Version a request runs at: its header, else the pinned default. */
export function versionOf(request: FastifyRequest, ctx: SquareContext): string {
  const header = request.headers['square-version'];
  return typeof header === 'string' && header !== '' ? header : ctx.switches.squareVersion;
}

/** "METHOD /route/pattern" as the kit counts it, e.g. for ledger `endpoint`. */
export const endpointOf = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? request.url}`;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
