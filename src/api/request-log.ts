/**
 * One log line per request, under its request id: method, route (the pattern, so lines group),
 * path, status and duration; for a 4xx or 5xx also what the client was told (error code,
 * message, field). A 500's real cause is logged by the error mapper (errors.ts) under the same
 * id, so the request_id a client quotes finds both lines.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function logRequests(app: FastifyInstance): void {
  const told = new WeakMap<FastifyRequest, { error?: unknown; message?: unknown; field?: unknown }>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      try {
        const body = JSON.parse(payload) as { error?: unknown; message?: unknown; field?: unknown };
        told.set(request, { error: body.error, message: body.message, field: body.field });
      } catch {
        // Not JSON (a 4xx from a static page): the status says enough.
      }
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const fields = {
      event: 'http.request',
      method: request.method,
      route: request.routeOptions.url ?? null,
      // The path only: a query string may carry what a client should not have put there.
      path: request.url.split('?')[0],
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(status >= 400 ? { cause: told.get(request) } : {}),
    };
    const text = `${request.method} ${fields.path} → ${status}`;
    if (status >= 500) request.log.error(fields, text);
    else if (status >= 400) request.log.warn(fields, text);
    else request.log.info(fields, text);
  });
}
