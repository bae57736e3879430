/** Sales: filter by state; a sale's page with its transitions, attempts, last error, POS reference, and Retry / Cancel through the same service as the API. */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { actionButton, nextPageLink, page, stateTag, table, when, withQuery } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { SALE_STATES, DASHBOARD_REASON } from '../queries/activity.ts';
import type { SaleState } from '../../engine/ports.ts';
import { canMove } from '../../core/sales/states.ts';
import { notFound } from '../errors.ts';

const PAGE = 50;
const money = (cents: number) => (cents / 100).toFixed(2);

export async function saleRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { service } = env.deps;

  app.get<{ Querystring: { state?: string; before?: string } }>('/sales', async (request, reply) => {
    const ctx = env.ctx(request);
    const state = (SALE_STATES as readonly string[]).includes(request.query.state ?? '') ? (request.query.state as SaleState) : undefined;
    const sales = await service.sales.list({ state, before: request.query.before || undefined, limit: PAGE });
    const now = Date.now();
    const rows = sales.map((s) => [
      html`<a href="${ctx.base}/sales/${s.id}">${s.id}</a>`,
      stateTag(s.state),
      html`<a href="${ctx.base}/items/${encodeURIComponent(s.ecommerceId)}">${s.ecommerceId}</a>`,
      s.quantity,
      money(s.amountCents),
      s.reference ?? '',
      when(s.createdAt, now),
      s.attempts,
      s.lastError ?? '',
    ]);
    const body = html`
<nav aria-label="Sale states" class="tabs"><ul>
  <li><a href="${ctx.base}/sales"${state === undefined ? html` aria-current="page"` : ''}>all</a></li>
  ${SALE_STATES.map((s) => html`<li><a href="${withQuery(`${ctx.base}/sales`, { state: s })}"${s === state ? html` aria-current="page"` : ''}>${s}</a></li>`)}
</ul></nav>
${table(`${state ?? 'All'} sales, newest first`, ['Sale', 'State', 'Item', 'Qty', 'Amount', 'Reference', 'Received', 'Attempts', 'Last error'], rows, 'No sale here.')}
${nextPageLink(sales.length === PAGE ? withQuery(`${ctx.base}/sales`, { state, before: sales[sales.length - 1]!.id }) : null)}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/sales', 'Sales', body).value);
  });

  app.get<{ Params: { id: string } }>('/sales/:id', async (request, reply) => {
    const ctx = env.ctx(request);
    const sale = await service.sales.get(request.params.id);
    if (!sale) throw notFound(`No sale has the id ${request.params.id}.`);
    const now = Date.now();
    const base = `${ctx.base}/sales/${encodeURIComponent(sale.id)}`;
    const body = html`
<dl class="facts">
  <dt>State</dt><dd>${stateTag(sale.state)}</dd>
  <dt>Item</dt><dd><a href="${ctx.base}/items/${encodeURIComponent(sale.ecommerceId)}">${sale.ecommerceId}</a> (POS <code>${sale.posItemId}</code> in ${sale.accountId})</dd>
  <dt>Quantity, amount</dt><dd>${sale.quantity}, ${money(sale.amountCents)}</dd>
  <dt>Reference</dt><dd>${sale.reference ?? html`<span class="muted">none</span>`}${sale.idempotencyKey ? html` <span class="muted">(Idempotency-Key ${sale.idempotencyKey})</span>` : ''}</dd>
  <dt>Attempts</dt><dd>${sale.attempts}</dd>
  <dt>Last error</dt><dd>${sale.lastError ? html`<span class="bad">${sale.lastError}</span>` : html`<span class="muted">none</span>`}</dd>
  <dt>POS reference</dt><dd>${sale.posReference ? html`<code>${sale.posReference}</code>` : html`<span class="muted">not posted yet</span>`}</dd>
  <dt>Received</dt><dd>${when(sale.createdAt, now)}</dd>
</dl>
${sale.state === 'incomplete' ? html`<p class="bad">The POS holds this sale as <code>${sale.posReference ?? '?'}</code> but refused to finish it. Finish it on the POS and retry here (nothing is added twice), or delete it on the POS and then cancel it here.</p>` : ''}
<div class="actions">
  ${sale.state === 'failed' || sale.state === 'incomplete' ? actionButton(ctx, `${base}/retry`, 'Retry', { confirm: 'Post this sale to the POS again? It is looked up first, so it is never recorded twice.' }) : ''}
  ${sale.state === 'incomplete'
    ? actionButton(ctx, `${base}/cancel`, 'Cancel (removed from the POS)', { confirm: `Only if you deleted sale ${sale.posReference ?? ''} on the POS: cancel this sale and give its units back to the shop?`, danger: true, fields: { removed_from_pos: 'true' } })
    : canMove(sale.state, 'cancelled') ? actionButton(ctx, `${base}/cancel`, 'Cancel sale', { confirm: 'Cancel this sale and give its units back to the shop?', danger: true }) : ''}
</div>
<h2>Transitions</h2>
${table('Every change of state, oldest first', ['When', 'From', 'To', 'Why'], sale.history.map((h) => [when(h.at, now), h.from ?? '', stateTag(h.to), h.reason]))}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/sales', `Sale ${sale.id}`, body).value);
  });

  app.post<{ Params: { id: string } }>('/sales/:id/retry', async (request, reply) => {
    const sale = await service.sales.retry(request.params.id, DASHBOARD_REASON);
    await env.journal(request, 'retry-sale', `sale ${sale.id}`);
    return reply.redirect(env.done(`${env.ctx(request).base}/sales/${encodeURIComponent(sale.id)}`, 'retried'), 303);
  });

  app.post<{ Params: { id: string }; Body: { removed_from_pos?: string } | undefined }>('/sales/:id/cancel', async (request, reply) => {
    const sale = await service.sales.cancel(request.params.id, DASHBOARD_REASON, { removedFromPos: request.body?.removed_from_pos === 'true' });
    await env.journal(request, 'cancel-sale', `sale ${sale.id}`);
    return reply.redirect(env.done(`${env.ctx(request).base}/sales/${encodeURIComponent(sale.id)}`, 'cancelled'), 303);
  });
}
