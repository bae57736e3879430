/**
 * Held runs (issue 12): runs the breaker stopped, with their plan and Apply / Discard; Revert on
 * an applied run's page; paused accounts with Resume. Actions go through the same engine calls
 * as the API (service.runs), behind the dashboard's CSRF, same-origin and read-only rules.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { actionButton, page, quantity, stateTag, table, when } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';

const positiveInt = (text: string | undefined) => (text && /^\d{1,15}$/.test(text) ? Number(text) : undefined);

export async function heldRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { service } = env.deps;

  app.get('/held', async (request, reply) => {
    const ctx = env.ctx(request);
    const [held, status] = await Promise.all([service.runs.held(), service.synchronizer.status()]);
    const now = Date.now();
    const names = new Map(env.deps.accounts.map((a) => [a.id, a.name]));
    const paused = status.accounts.filter((a) => a.pause);
    const body = html`
<p class="muted">A run is held when its plan would set to 0 or lose many items at once, or lower an account's stock by much (the Breaker thresholds): nothing of it is written until it is applied. Sales go on meanwhile.</p>
${table('Runs held for a decision, newest first', ['Run', 'Account', 'Trigger', 'Started', 'Items in the plan', 'Why', ''], held.map((r) => [
      html`<a href="${ctx.base}/runs/${r.runId}">${r.runId}</a>`,
      names.get(r.accountId) ?? r.accountId,
      r.trigger,
      when(r.startedAt, now),
      r.items,
      r.heldReason ?? '',
      html`<a href="${ctx.base}/runs/${r.runId}/plan">plan, apply or discard</a>`,
    ]), 'No run is held.')}
<h2>Paused accounts</h2>
${table('Accounts whose polls wait for an operator (after a revert)', ['Account', 'Why', 'Since', ''], paused.map((a) => [
      a.accountName,
      a.pause!.reason,
      when(a.pause!.pausedAt, now),
      actionButton(ctx, `${ctx.base}/accounts/${encodeURIComponent(a.accountId)}/resume`, 'Resume polls', { confirm: 'Resume polls of this account? The next poll reads the POS again (a glitch still there is held again).' }),
    ]), 'No account is paused.')}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/held', 'Held runs', body).value);
  });

  app.get<{ Params: { id: string }; Querystring: { cursor?: string } }>('/runs/:id/plan', async (request, reply) => {
    const ctx = env.ctx(request);
    const id = positiveInt(request.params.id) ?? 0;
    const detail = await service.runs.get(id, { limit: 200, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) });
    const base = `${ctx.base}/runs/${id}`;
    const run = detail.run;
    const actions = run.status === 'held'
      ? html`${actionButton(ctx, `${base}/apply`, 'Apply this plan', { confirm: 'Write this plan to possync and the shop table? Sales taken since stay subtracted; items read again since keep the newer count.', danger: true })}
             ${actionButton(ctx, `${base}/discard`, 'Discard', { confirm: 'Drop this plan? Nothing is written; the next poll is planned afresh.' })}`
      : run.status === 'ok' && detail.revertedAt === null
        ? actionButton(ctx, `${base}/revert`, 'Revert this run', { confirm: 'Put back the counts this run replaced (where they have not changed since) and pause this account\'s polls until resumed?', danger: true })
        : html``;
    const body = html`
<dl class="facts">
  <dt>Account</dt><dd>${detail.accountId}</dd>
  <dt>Outcome</dt><dd>${stateTag(run.status)}${detail.decision ? html` (${detail.decision}${detail.decidedAt ? html` ${when(detail.decidedAt)}` : ''})` : ''}${detail.supersededBy ? html`, by <a href="${ctx.base}/runs/${detail.supersededBy}/plan">run ${detail.supersededBy}</a>` : ''}</dd>
  ${detail.heldReason ? html`<dt>Held because</dt><dd>${detail.heldReason}</dd>` : ''}
  ${detail.revertedAt ? html`<dt>Reverted</dt><dd>${when(detail.revertedAt)}</dd>` : ''}
</dl>
<div class="actions">${actions}</div>
${table(detail.itemsSource === 'plan' ? 'The plan: what applying this run writes' : 'What this run changed', ['Item', 'POS id', 'Kind', 'Shop quantity', 'On hand (POS)', 'Note'], detail.items.map((item) => [
      html`<a href="${ctx.base}/items/${encodeURIComponent(item.ecommerceId)}">${item.ecommerceId}</a>`,
      html`<code>${item.posItemId}</code>`,
      item.kind,
      html`${quantity(item.before)} → ${quantity(item.after)}`,
      html`${quantity(item.onHandBefore)} → ${quantity(item.onHandAfter)}`,
      item.note ?? '',
    ]), 'No item changes.')}
${detail.nextCursor ? html`<p class="paging"><a href="${base}/plan?cursor=${encodeURIComponent(detail.nextCursor)}" rel="next">More items →</a></p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/held', `Run ${id}: plan and decisions`, body).value);
  });

  const decide = (action: 'apply' | 'discard' | 'revert', notice: string) =>
    app.post<{ Params: { id: string } }>(`/runs/:id/${action}`, async (request, reply) => {
      const id = positiveInt(request.params.id) ?? 0;
      await service.runs[action](id);
      await env.journal(request, `${action}-run`, `run ${id}`);
      return reply.redirect(env.done(`${env.ctx(request).base}/runs/${id}/plan`, notice), 303);
    });
  decide('apply', 'run-applied');
  decide('discard', 'run-discarded');
  decide('revert', 'run-reverted');

  app.post<{ Params: { id: string } }>('/accounts/:id/resume', async (request, reply) => {
    await service.runs.resume(request.params.id);
    await env.journal(request, 'resume-polls', `account ${request.params.id}`);
    return reply.redirect(env.done(`${env.ctx(request).base}/held`, 'polls-resumed'), 303);
  });
}
