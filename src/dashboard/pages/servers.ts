/** Hangfire's Servers: every possync process sharing this database (pg-boss instances), with workers, queues and heartbeat. */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { page, stateTag, table, when } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { instanceHealth, listInstances } from '../queries/jobs.ts';

export async function serverRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  app.get('/servers', async (request, reply) => {
    const ctx = env.ctx(request);
    const instances = await listInstances(env.deps.sql);
    const now = Date.now();
    const rows = instances.map((i) => {
      const queues = [...new Set(i.workers.map((w) => String(w.name ?? w.queue ?? '')).filter(Boolean))].sort();
      return [
        html`<strong>${i.name ?? i.host}</strong><br><span class="muted">${i.host}, pid ${i.pid}</span>`,
        stateTag(instanceHealth(i)),
        i.workers.length,
        queues.length ? queues.join(', ') : html`<span class="muted">none</span>`,
        when(i.startedOn, now),
        html`${when(i.heartbeatOn, now)}`,
        `pg-boss ${i.version}, Node ${i.nodeVersion}`,
      ];
    });
    const body = html`
<p class="muted">A server is stale when its heartbeat is more than 1 minute old, and possibly gone after 5 minutes.</p>
${table('possync instances (pg-boss servers), newest first', ['Server', 'State', 'Workers', 'Queues', 'Started', 'Heartbeat', 'Versions'], rows, 'No instance has registered yet.')}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/servers', 'Servers', body).value);
  });
}
