/**
 * /healthz for load balancers and monitors: open (no key), 200 when every part answers, 503 when
 * one does not. Error texts are shown only to callers who could read the rest of the API.
 */
import type { FastifyInstance } from 'fastify';
import type { Service } from '../../engine/ports.ts';
import type { KeyCheck } from '../auth.ts';
import { toHealthJson } from '../convert.ts';
import { errors, Health } from '../schemas.ts';

export async function healthRoutes(
  app: FastifyInstance,
  opts: { service: Service; version: string; keys: KeyCheck },
): Promise<void> {
  const { service, version, keys } = opts;
  app.get('/healthz', {
    schema: {
      tags: ['health'],
      summary: 'Liveness and readiness of the core database, the shop database and the job queue',
      description: 'Open even when API keys are configured; error texts are then shown only with a valid X-Api-Key.',
      response: {
        200: { ...Health, description: 'Every part is up' },
        503: { ...Health, description: 'At least one part is down (see its `ok` and `error`)' },
        500: errors[500],
      },
    },
  }, async (request, reply) => {
    const health = await service.health();
    const body = toHealthJson(health, version, keys.allows(request));
    return reply.code(health.ok ? 200 : 503).send(body);
  });
}
