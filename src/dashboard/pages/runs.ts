/** Runs: every sync run with trigger, account, duration, items read / changed, calls and error; a run's page lists what it changed. */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { duration, nextPageLink, page, quantity, stateTag, table, when, withQuery } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { getRun, listRunsPage } from '../queries/runs.ts';
import { listJournal } from '../../core/journal.ts';
import { notFound } from '../errors.ts';

const positiveInt = (text: string | undefined) => (text && /^\d{1,15}$/.test(text) ? Number(text) : undefined);

export async function runRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { sql } = env.deps;

  app.get<{ Querystring: { account?: string; before?: string } }>('/runs', async (request, reply) => {
    const ctx = env.ctx(request);
    const account = request.query.account || undefined;
    const { runs, next } = await listRunsPage(sql, { accountId: account, before: positiveInt(request.query.before) });
    const now = Date.now();
    const names = new Map(env.deps.accounts.map((a) => [a.id, a.name]));
    const rows = runs.map((run) => [
      html`<a href="${ctx.base}/runs/${run.id}">${run.id}</a>`,
      names.get(run.accountId) ?? run.accountId,
      run.trigger,
      stateTag(run.status),
      when(run.startedAt, now),
      duration(run.startedAt, run.finishedAt),
      run.itemsRead,
      run.itemsChanged,
      run.apiCalls,
      run.error ?? '',
    ]);
    const body = html`
<form method="get" action="${ctx.base}/runs" class="search">
  <label for="account">Account</label>
  <select id="account" name="account"><option value="">every account</option>${env.deps.accounts.map((a) => html`<option value="${a.id}"${a.id === account ? html` selected` : ''}>${a.name}</option>`)}</select>
  <button type="submit">Show</button>
</form>
${table('Sync runs, newest first', ['Run', 'Account', 'Trigger', 'Outcome', 'Started', 'Took', 'Read', 'Changed', 'POS calls', 'Error'], rows, 'No run yet.')}
${nextPageLink(next ? withQuery(`${ctx.base}/runs`, { account, before: next }) : null)}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/runs', 'Runs', body).value);
  });

  app.get<{ Params: { id: string }; Querystring: { before?: string } }>('/runs/:id', async (request, reply) => {
    const ctx = env.ctx(request);
    const id = positiveInt(request.params.id);
    const run = id === undefined ? null : await getRun(sql, id);
    if (!run) throw notFound(`No sync run has the id ${request.params.id}.`);
    const before = positiveInt(request.query.before);
    const entries = await listJournal(sql, { runId: run.id, beforeId: before, limit: 100 });
    const now = Date.now();
    const body = html`
<dl class="facts">
  <dt>Account</dt><dd><a href="${ctx.base}/accounts#account-${run.accountId}">${run.accountId}</a></dd>
  <dt>Trigger</dt><dd>${run.trigger}</dd>
  <dt>Outcome</dt><dd>${stateTag(run.status)}${run.error ? html` — ${run.error}` : ''}</dd>
  <dt>Started</dt><dd>${when(run.startedAt, now)}, took ${duration(run.startedAt, run.finishedAt)}</dd>
  <dt>Counts</dt><dd>${run.itemsRead} items read, ${run.itemsChanged} changed, ${run.apiCalls} POS calls</dd>
</dl>
<p><a href="${ctx.base}/runs/${run.id}/plan">${run.status === 'held' ? 'Its plan, to apply or discard' : run.status === 'ok' ? 'What it changed, and Revert' : 'Its plan'}</a></p>
<h2>Items this run changed</h2>
${table('Changes written by this run', ['Item', 'Shop quantity', 'On hand (POS)', 'When'], entries.map((e) => [
      html`<a href="${ctx.base}/items/${encodeURIComponent(e.ecommerceId)}">${e.ecommerceId}</a>`,
      html`${quantity(e.before)} → ${quantity(e.after)}`,
      html`${quantity(e.onHandBefore)} → ${quantity(e.onHandAfter)}`,
      when(e.at, now),
    ]), 'This run changed nothing.')}
${nextPageLink(entries.length === 100 ? withQuery(`${ctx.base}/runs/${run.id}`, { before: entries[entries.length - 1]!.id }) : null)}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/runs', `Run ${run.id}`, body).value);
  });
}
