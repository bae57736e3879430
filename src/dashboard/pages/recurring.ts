/**
 * Hangfire's Recurring jobs: each account's scheduled poll with its cron in words, time zone,
 * next and last execution; Trigger now, a cron change (validated by the same engine call as
 * POST /api/synchronizer/start) and pause / resume (the synchronizer's stop / start).
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { actionButton, csrfField, page, stateTag, table, when } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { listSchedules } from '../queries/jobs.ts';
import { describeCron } from '../../engine/synchronizer.ts';
import { badRequest, notFound } from '../errors.ts';

export async function recurringRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { service, sql, queues } = env.deps;

  app.get('/recurring', async (request, reply) => {
    const ctx = env.ctx(request);
    const [status, schedules] = await Promise.all([service.synchronizer.status(), listSchedules(sql, queues.poll)]);
    const byKey = new Map(schedules.map((s) => [s.key, s]));
    const now = Date.now();
    const rows = status.accounts.map((a) => {
      const schedule = byKey.get(a.accountId);
      const run = a.lastRun;
      return [
        html`<span id="recurring-${a.accountId}">Poll ${a.accountName}</span> <span class="muted">(${a.accountId})</span>`,
        schedule ? html`${describeCron(schedule.cron)} <code>${schedule.cron}</code>` : html`<span class="muted">paused</span>`,
        schedule?.timeZone ?? status.timeZone,
        schedule && status.running ? when(status.nextRunAt, now) : html`<span class="muted">none (paused)</span>`,
        run ? html`<a href="${ctx.base}/runs/${run.id}">${stateTag(run.status)} ${when(run.startedAt, now)}</a>` : html`<span class="muted">never</span>`,
        actionButton(ctx, `${ctx.base}/recurring/${encodeURIComponent(a.accountId)}/trigger`, 'Trigger now'),
      ];
    });
    const body = html`
<p class="status ${status.running ? 'good' : 'bad'}"><strong>${status.running ? 'Running' : 'Paused'}</strong>: ${status.cronText.toLowerCase()} <code>${status.cron}</code>, time zone ${status.timeZone}.</p>
${table('Scheduled polls, one per account', ['Job', 'Cron', 'Time zone', 'Next execution', 'Last execution', ''], rows, 'No account is configured.')}
${ctx.readOnly ? '' : html`
<div class="actions">
  ${status.running ? actionButton(ctx, `${ctx.base}/recurring/pause`, 'Pause all polls', { confirm: 'Stop the scheduled polls of every account?', danger: true }) : actionButton(ctx, `${ctx.base}/recurring/resume`, 'Resume polls')}
</div>
<h2>Change the schedule</h2>
<form method="post" action="${ctx.base}/recurring/cron" class="stack">
  ${csrfField(ctx)}
  <label for="cron">Cron (Hangfire's 5 fields: minute hour day-of-month month day-of-week)</label>
  <input id="cron" name="cron" value="${status.cron}" required autocomplete="off" spellcheck="false">
  <label for="time_zone">Time zone (IANA, e.g. UTC or Europe/Brussels)</label>
  <input id="time_zone" name="time_zone" value="${status.timeZone}" required autocomplete="off" spellcheck="false">
  <p class="muted">Applies to every account's poll and starts the synchronizer if it is paused.</p>
  <button type="submit">Save schedule</button>
</form>`}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/recurring', 'Recurring jobs', body).value);
  });

  app.post<{ Params: { account: string } }>('/recurring/:account/trigger', async (request, reply) => {
    const ctx = env.ctx(request);
    const accountId = request.params.account;
    if (!service.accountIds().includes(accountId)) throw notFound(`No configured account has the id ${accountId}.`);
    const [queued] = await service.synchronizer.forceUpdate(accountId);
    await env.journal(request, 'trigger', `account ${accountId}`, queued?.jobId ? `poll job ${queued.jobId}` : 'joined the poll already waiting');
    return reply.redirect(env.done(`${ctx.base}/recurring`, queued?.jobId ? 'triggered' : 'already-queued'), 303);
  });

  app.post<{ Body: { cron?: string; time_zone?: string } }>('/recurring/cron', async (request, reply) => {
    const ctx = env.ctx(request);
    const cron = request.body?.cron;
    const timeZone = request.body?.time_zone;
    if (typeof cron !== 'string' || cron.trim() === '') throw badRequest('cron: give a 5-field cron such as */5 * * * *');
    const status = await service.synchronizer.start({ cron, timeZone: typeof timeZone === 'string' && timeZone.trim() !== '' ? timeZone.trim() : undefined });
    await env.journal(request, 'cron', 'synchronizer', `${status.cron} (${status.timeZone})`);
    return reply.redirect(env.done(`${ctx.base}/recurring`, 'cron-saved'), 303);
  });

  app.post('/recurring/pause', async (request, reply) => {
    await service.synchronizer.stop();
    await env.journal(request, 'pause', 'synchronizer');
    return reply.redirect(env.done(`${env.ctx(request).base}/recurring`, 'paused'), 303);
  });

  app.post('/recurring/resume', async (request, reply) => {
    await service.synchronizer.start();
    await env.journal(request, 'resume', 'synchronizer');
    return reply.redirect(env.done(`${env.ctx(request).base}/recurring`, 'resumed'), 303);
  });
}
