/**
 * /healthz (alive) and /readyz (ready to take sales) for load balancers and monitors: open (no
 * key), each part ok / degraded / down with fixed reason codes and no error text. /healthz
 * answers 503 only when possync is down; /readyz answers 503 until it can take sales.
 * /metrics (Prometheus text) follows the API's access rule: a key when keys are configured.
 */
import type { FastifyInstance } from 'fastify';
import type { Service } from '../../engine/ports.ts';
import { requireApiKey, type KeyCheck } from '../auth.ts';
import { toHealthJson, toReadinessJson } from '../convert.ts';
import { errors, Health, Readiness } from '../schemas.ts';

export interface MetricsSource {
  contentType(): string;
  text(): Promise<string>;
}

export async function healthRoutes(
  app: FastifyInstance,
  opts: { service: Service; version: string; keys: KeyCheck; metrics?: MetricsSource },
): Promise<void> {
  const { service, version, keys, metrics } = opts;
  app.get('/healthz', {
    schema: {
      tags: ['health'],
      summary: 'Liveness: the core, the job queue, the shop table (its last write), each account (last poll, stale items) and the oldest pending sale',
      description: 'Open even when API keys are configured: it carries no error text, only fixed reason codes. `degraded` still answers 200.',
      response: {
        200: { ...Health, description: 'ok or degraded' },
        503: { ...Health, description: 'down: the core database or the job queue cannot be reached' },
        500: errors[500],
      },
    },
  }, async (_request, reply) => {
    const health = await service.health();
    return reply.code(health.status === 'down' ? 503 : 200).send(toHealthJson(health, version));
  });

  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness to take sales: core reachable, migrations applied, job workers running',
      response: {
        200: { ...Readiness, description: 'Ready (health may still be degraded)' },
        503: { ...Readiness, description: 'Not ready' },
        500: errors[500],
      },
    },
  }, async (_request, reply) => {
    const readiness = await service.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(toReadinessJson(readiness, version));
  });

  if (metrics) {
    app.get('/metrics', {
      onRequest: requireApiKey(keys),
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Needs X-Api-Key when API keys are configured, like /api. The list and meaning of each metric: docs/operations.md.',
        response: {
          200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: errors[401],
          500: errors[500],
        },
      },
    }, async (_request, reply) => {
      const text = await metrics.text();
      return reply.header('content-type', metrics.contentType()).send(text);
    });
  }
}
