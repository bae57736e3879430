/** Hangfire's Jobs pages over pg-boss: jobs by state, a job's page, and the safe Requeue / Delete. */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.ts';
import { actionButton, nextPageLink, page, stateTag, table, when, withQuery, formatUtc } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { COUNTED_OVER_24H, JOB_TABS, getJob, jobCounts, listJobs, tabOf, type JobRow, type JobTab } from '../queries/jobs.ts';
import { canDelete, canRequeue } from '../job-actions.ts';
import { maskPayload } from '../mask.ts';
import { notFound, conflict } from '../errors.ts';

/** What a job is for, in words, from its queue and payload. */
export function jobTitle(job: Pick<JobRow, 'name' | 'data'>): string {
  const account = typeof job.data?.['accountId'] === 'string' ? job.data['accountId'] : undefined;
  if (job.name.endsWith('-poll')) return `Poll ${account ?? '?'}${job.data?.['trigger'] ? ` (${String(job.data['trigger'])})` : ''}`;
  if (job.name.endsWith('-dispatch')) return `Post sales of ${account ?? '?'}`;
  if (job.name.endsWith('-change-poll')) return `Change poll ${account ?? '?'}`;
  if (job.name.endsWith('-webhook')) return `Apply webhooks of ${account ?? '?'}`;
  if (job.name.endsWith('-bulk-import')) return `Bulk import ${String(job.data?.['importId'] ?? '?')}`;
  if (job.name.endsWith('-register')) return `Register item ${String(job.data?.['ecommerceId'] ?? '?')} in ${account ?? '?'}`;
  return job.name;
}

function errorText(output: Record<string, unknown> | null): string | null {
  if (!output) return null;
  const message = output['message'];
  const stack = output['stack'];
  if (typeof stack === 'string') return stack;
  if (typeof message === 'string') return message;
  return null;
}

export async function jobRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { sql, queues } = env.deps;

  app.get<{ Querystring: { state?: string; after?: string } }>('/jobs', async (request, reply) => {
    const ctx = env.ctx(request);
    const tab: JobTab = (JOB_TABS as readonly string[]).includes(request.query.state ?? '') ? (request.query.state as JobTab) : 'failed';
    const [counts, list] = await Promise.all([jobCounts(sql, queues.all), listJobs(sql, queues.all, tab, { after: request.query.after })]);
    const now = Date.now();
    const rows = list.jobs.map((job) => [
      html`<a href="${ctx.base}/jobs/${job.id}">${jobTitle(job)}</a>`,
      html`<code>${job.id.slice(0, 8)}</code>`,
      stateTag(tabOf(job.state, job.startAfter, now)),
      `${job.retryCount} / ${job.retryLimit}`,
      when(job.createdOn, now),
      tab === 'scheduled' ? when(job.startAfter, now) : when(job.completedOn ?? job.startedOn, now),
      tab === 'failed' ? (errorText(job.output)?.split('\n')[0] ?? '') : '',
    ]);
    const body = html`
<nav aria-label="Job states" class="tabs"><ul>${JOB_TABS.map((t) => html`<li><a href="${withQuery(`${ctx.base}/jobs`, { state: t })}"${t === tab ? html` aria-current="page"` : ''}>${t} <span class="n">${counts[t]}</span>${COUNTED_OVER_24H.includes(t) ? html` <span class="muted">in 24 h</span>` : ''}</a></li>`)}</ul></nav>
${table(`${tab} jobs, newest first`, ['Job', 'Id', 'State', 'Retries', 'Created', tab === 'scheduled' ? 'Runs at' : 'Finished', tab === 'failed' ? 'Error' : ''], rows, `No ${tab} job.`)}
${nextPageLink(list.next ? withQuery(`${ctx.base}/jobs`, { state: tab, after: list.next }) : null)}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/jobs', `Jobs: ${tab}`, body).value);
  });

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request, reply) => {
    const ctx = env.ctx(request);
    const job = await getJob(sql, queues.all, request.params.id);
    if (!job) throw notFound(`No job has the id ${request.params.id} (finished jobs are deleted after their retention time).`);
    const now = Date.now();
    const tab = tabOf(job.state, job.startAfter, now);
    const runId = typeof job.output?.['runId'] === 'number' ? job.output['runId'] : null;
    const error = errorText(job.output);
    const events: Array<[string, Date | null, string]> = [
      ['created', job.createdOn, 'queued by possync'],
      ['scheduled for', job.startAfter, job.retryCount > 0 ? `retry ${job.retryCount} after a failure` : 'earliest start'],
      ['started', job.startedOn, job.retryCount > 0 ? `attempt ${job.retryCount + 1}` : 'attempt 1'],
      [tab === 'processing' ? 'last heartbeat' : 'finished', tab === 'processing' ? job.heartbeatOn : job.completedOn, tab],
    ];
    const timeline = table('State changes', ['Event', 'When', 'Detail'], events.filter(([, at]) => at !== null).map(([event, at, detail]) => [event, when(at, now), detail]));
    const actions: Html[] = [];
    if (canRequeue(job)) actions.push(actionButton(ctx, `${ctx.base}/jobs/${job.id}/requeue`, 'Requeue', { confirm: 'Run this job again?' }));
    if (canDelete(job)) actions.push(actionButton(ctx, `${ctx.base}/jobs/${job.id}/delete`, 'Delete', { confirm: 'Delete this job from the history?', danger: true }));
    const body = html`
<dl class="facts">
  <dt>Job</dt><dd>${jobTitle(job)}</dd>
  <dt>Id</dt><dd><code>${job.id}</code></dd>
  <dt>Queue</dt><dd><code>${job.name}</code>${job.singletonKey ? html` (one at a time per <code>${job.singletonKey}</code>)` : ''}</dd>
  <dt>State</dt><dd>${stateTag(tab)} <span class="muted">(pg-boss: ${job.state})</span></dd>
  <dt>Attempts</dt><dd>${job.retryCount + (job.startedOn ? 1 : 0)} (retries used ${job.retryCount} of ${job.retryLimit})</dd>
  ${runId !== null ? html`<dt>Sync run</dt><dd><a href="${ctx.base}/runs/${runId}">run ${runId}</a></dd>` : ''}
  <dt>Kept until</dt><dd>${formatUtc(job.keepUntil)}</dd>
</dl>
${actions.length ? html`<div class="actions">${actions}</div>` : html`<p class="muted">${ctx.readOnly ? 'The dashboard is read-only.' : 'No action is safe on a job that is waiting or running.'}</p>`}
<h2>State changes</h2>
${timeline}
${error ? html`<h2>Error of the last failed attempt</h2><pre class="error">${error}</pre><p class="muted">pg-boss keeps the error of the latest attempt; a sale's page lists every attempt of its dispatch.</p>` : ''}
<h2>Payload</h2>
<pre>${JSON.stringify(maskPayload(job.data), null, 2)}</pre>
${job.output && !error ? html`<h2>Output</h2><pre>${JSON.stringify(maskPayload(job.output), null, 2)}</pre>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/jobs', `Job: ${jobTitle(job)}`, body).value);
  });

  for (const action of ['requeue', 'delete'] as const) {
    app.post<{ Params: { id: string } }>(`/jobs/:id/${action}`, async (request, reply) => {
      const ctx = env.ctx(request);
      const job = await getJob(sql, queues.all, request.params.id);
      if (!job) throw notFound(`No job has the id ${request.params.id}.`);
      const done = action === 'requeue' ? await env.deps.jobs.requeue(job) : await env.deps.jobs.remove(job);
      if (!done) throw conflict(`This job is ${job.state}; it cannot be ${action === 'requeue' ? 'requeued' : 'deleted'} now.`);
      await env.journal(request, action, `job ${job.id}`, jobTitle(job));
      return reply.redirect(env.done(action === 'delete' ? `${ctx.base}/jobs?state=${tabOf(job.state, job.startAfter)}` : `${ctx.base}/jobs/${job.id}`, action === 'delete' ? 'deleted' : 'requeued'), 303);
    });
  }
}
