import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorKit } from '../kit/server.ts';
import { HiboutikError } from './errors.ts';
import type { HiboutikStore } from './store.ts';
import type { HiboutikSwitches } from './types.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  store: HiboutikStore;
  kit: SimulatorKit;
  switches: HiboutikSwitches;
  /** Resolves once synchronous webhooks for `action` have had their answer (bounded). */
  settleWebhooks(action: 'sale' | 'stock_order'): Promise<void>;
}

/** `endpoint` is the canonical stats/fault name, e.g. "POST /api/sales/", whatever alias was called. */
export type RouteHandler = (request: FastifyRequest, reply: FastifyReply, endpoint: string) => Promise<unknown>;

export interface RouteSpec {
  method: Method;
  /** As Hiboutik's docs write it (with or without the trailing slash); the other form is added. */
  path: string;
  handler: RouteHandler;
}

export const BASES = ['/api', '/apirest'] as const;

const otherSlashForm = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : `${path}/`);

/**
 * Registers every route under /api and /apirest, each with and without its trailing slash, and
 * remembers one canonical name per route so the kit counts and matches faults on one endpoint.
 */
export function mountRoutes(scope: FastifyInstance, specs: RouteSpec[], canonical: Map<string, string>): void {
  for (const base of BASES) {
    for (const spec of specs) {
      const endpoint = `${spec.method} /api${spec.path}`;
      for (const path of [spec.path, otherSlashForm(spec.path)]) {
        const url = `${base}${path}`;
        canonical.set(`${spec.method} ${url}`, endpoint);
        if (spec.method === 'GET') canonical.set(`HEAD ${url}`, `HEAD /api${spec.path}`);
        scope.route({
          method: spec.method,
          url,
          handler: async (request, reply) => {
            try {
              return await spec.handler(request, reply, endpoint);
            } catch (error) {
              if (error instanceof HiboutikError) return reply.code(error.status).send(error.body());
              throw error;
            }
          },
        });
      }
    }
  }
}

export const PAGE_SIZE = 250;

/**
 * Hiboutik paging: `?p=N` from 1, 250 rows a page, `Content-Range: first-last/total` (0-based,
 * inclusive, like an HTTP range) and a `Link` header with absolute URLs for rel start, prev,
 * current and last — as documented (faq.hiboutik.com, API responses), with NO rel="next":
 * clients page by the total or the last page. Past the end: an empty array and a Content-Range
 * of a star over the total (the RFC 9110 "unsatisfied range" form). Header names are sent as
 * `Content-Range` and `Link`: the official PHP client reads them case-sensitively.
 */
export function page<T>(request: FastifyRequest, reply: FastifyReply, rows: T[], size = PAGE_SIZE): T[] {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const requested = Number(query.p);
  const current = Number.isInteger(requested) && requested >= 1 ? requested : 1;
  const last = Math.max(1, Math.ceil(rows.length / size));
  const slice = rows.slice((current - 1) * size, current * size);
  // Fastify lower-cases names given to reply.header; Node keeps the case given to setHeader.
  reply.raw.setHeader('Content-Range', slice.length > 0 ? `${(current - 1) * size}-${(current - 1) * size + slice.length - 1}/${rows.length}` : `*/${rows.length}`);

  const path = request.url.split('?')[0] ?? request.url;
  const base = `${request.protocol}://${request.headers.host ?? 'localhost'}${path}`;
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (name !== 'p' && typeof value === 'string') params.set(name, value);
    params.set('p', String(p));
    return `<${base}?${params.toString()}>`;
  };
  const parts = [`${link(1)}; rel="start"`];
  if (current > 1) parts.push(`${link(Math.min(current - 1, last))}; rel="prev"`);
  parts.push(`${link(current)}; rel="current"`);
  parts.push(`${link(last)}; rel="last"`);
  reply.raw.setHeader('Link', parts.join(', '));
  return slice;
}
