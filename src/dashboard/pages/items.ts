/**
 * Items: search by e-commerce id, POS id or name; each with on hand, reserved, available, floor,
 * last confirmed and what the shop's table holds now (read from the sink). An item's page shows
 * its journal as a table and its quantity over time as a chart.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.ts';
import { nextPageLink, page, quantity, stateTag, table, when, withQuery } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { changesToday, getItem, quantitySeries, salesOfItem, searchItems } from '../queries/items.ts';
import { listJournal } from '../../core/journal.ts';
import { chart, COLORS, timeLabel } from '../charts.ts';
import { notFound } from '../errors.ts';
import { listSources, shopQuantity } from '../../core/item-sources.ts';

/** The shop table's quantities for these items, or why they could not be read. */
async function shopQuantities(env: DashboardEnv, ids: string[]): Promise<{ values: Map<string, number>; error: string | null }> {
  try {
    return { values: await env.deps.sink.readQuantities(ids), error: null };
  } catch (error) {
    return { values: new Map(), error: error instanceof Error ? error.message : String(error) };
  }
}

function shopCell(values: Map<string, number>, error: string | null, id: string, available: number | null): Html {
  if (error) return html`<span class="muted">unreadable</span>`;
  const value = values.get(id);
  if (value === undefined) return html`<span class="muted">no row</span>`;
  return available !== null && value !== available ? html`${value} ${stateTag('pending')}` : html`${value}`;
}

export async function itemRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  const { sql } = env.deps;

  app.get<{ Querystring: { q?: string; account?: string; after?: string } }>('/items', async (request, reply) => {
    const ctx = env.ctx(request);
    const q = request.query.q?.trim() ?? '';
    const account = request.query.account || undefined;
    const { items, next } = await searchItems(sql, { q, accountId: account, after: request.query.after });
    // One exact match of an id: straight to its page, which answers "what happened to it".
    if (items.length === 1 && q !== '' && (items[0]!.ecommerceId === q || items[0]!.posItemId === q) && !request.query.after) {
      return reply.redirect(`${ctx.base}/items/${encodeURIComponent(items[0]!.ecommerceId)}`, 303);
    }
    const shop = await shopQuantities(env, items.map((i) => i.ecommerceId));
    const sources = await listSources(sql, items.map((i) => i.ecommerceId));
    const now = Date.now();
    const rows = items.map((item) => {
      const extra = sources.get(item.ecommerceId) ?? [];
      return [
        html`<a href="${ctx.base}/items/${encodeURIComponent(item.ecommerceId)}">${item.ecommerceId}</a>`,
        item.description,
        // An item sold from several accounts: its first source, then the others.
        extra.length === 0 ? item.accountId : html`${item.accountId} <span class="muted">+ ${extra.map((s) => s.accountId).join(', ')}</span>`,
        html`<code>${item.posItemId}</code>`,
        quantity(item.onHand),
        item.reserved,
        quantity(shopQuantity(item)),
        item.limitQuantity,
        item.missingOnPos ? stateTag('missing on POS') : when(item.lastConfirmedAt, now),
        shopCell(shop.values, shop.error, item.ecommerceId, shopQuantity(item)),
      ];
    });
    const body = html`
<form method="get" action="${ctx.base}/items" class="search">
  <label for="q">E-commerce id, POS id or part of the name</label>
  <input id="q" name="q" type="search" value="${q}">
  <label for="account">Account</label>
  <select id="account" name="account"><option value="">every account</option>${env.deps.accounts.map((a) => html`<option value="${a.id}"${a.id === account ? html` selected` : ''}>${a.name}</option>`)}</select>
  <button type="submit">Search</button>
</form>
${shop.error ? html`<p class="notice bad" role="alert">The shop table could not be read: ${shop.error}</p>` : ''}
${table('Mapped items', ['Item', 'Name', 'Account', 'POS id', 'On hand', 'Reserved', 'Available', 'Floor', 'Last confirmed', 'Shop table now'], rows, q ? `No item matches "${q}".` : 'No item is mapped yet.')}
${nextPageLink(next ? withQuery(`${ctx.base}/items`, { q, account, after: next }) : null)}
<p class="muted">Reserved: units of sales the POS does not have yet. Available = on hand − reserved, never below 0: what possync writes to the shop table (${env.deps.sink.describe()}). An item sold from several accounts shows its first source's counts and the sum of every source's available.</p>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/items', 'Items', body).value);
  });

  app.get<{ Params: { id: string }; Querystring: { before?: string } }>('/items/:id', async (request, reply) => {
    const ctx = env.ctx(request);
    const id = request.params.id;
    const item = await getItem(sql, id);
    if (!item) throw notFound(`No mapped item has the e-commerce id ${id}.`);
    const before = request.query.before && /^\d{1,15}$/.test(request.query.before) ? Number(request.query.before) : undefined;
    const [shop, journal, series, today, sales, sourceMap] = await Promise.all([
      shopQuantities(env, [id]),
      listJournal(sql, { ecommerceId: id, beforeId: before, limit: 50 }),
      quantitySeries(sql, id),
      changesToday(sql, id),
      salesOfItem(sql, id),
      listSources(sql, [id]),
    ]);
    const now = Date.now();
    const shopValue = shop.values.get(id);
    const extra = sourceMap.get(id) ?? [];
    const total = shopQuantity(item);
    const points = series.map((p) => Math.floor(p.at.getTime() / 1000));
    const body = html`
<dl class="facts">
  <dt>Name</dt><dd>${item.description || html`<span class="muted">(none)</span>`}</dd>
  <dt>Account</dt><dd><a href="${ctx.base}/accounts#account-${item.accountId}">${item.accountId}</a>, POS id <code>${item.posItemId}</code></dd>
  <dt>On hand (POS)</dt><dd>${quantity(item.onHand)}${item.missingOnPos ? html` ${stateTag('missing on POS')} since ${when(item.missingSince, now)}` : ''}</dd>
  <dt>Reserved</dt><dd>${item.reserved} <span class="muted">(sales not on the POS yet)</span></dd>
  <dt>Available</dt><dd>${quantity(total)} <span class="muted">(floor ${item.limitQuantity}${extra.length > 0 ? html`; the sum of ${extra.length + 1} sources` : ''})</span></dd>
  <dt>Shop table now</dt><dd class="big">${shop.error
    ? html`<span class="bad">could not be read: ${shop.error}</span>`
    : shopValue === undefined ? html`<span class="muted">no row in ${env.deps.sink.describe()}</span>` : html`<strong>${shopValue}</strong> <span class="muted">in ${env.deps.sink.describe()}</span>${total !== null && shopValue !== total ? html` ${stateTag('pending')} possync will write ${total}` : ''}`}</dd>
  <dt>Last confirmed</dt><dd>${when(item.lastConfirmedAt, now)}</dd>
  <dt>Today</dt><dd>${today} change${today === 1 ? '' : 's'} journaled since 00:00 UTC</dd>
</dl>
${extra.length > 0 ? table('Sources: the POS items this item is sold from', ['Account', 'POS id', 'On hand', 'Available', 'Floor', 'Last confirmed'], [
      [html`${item.accountId} <span class="muted">(first)</span>`, html`<code>${item.posItemId}</code>`, quantity(item.onHand), quantity(item.available), item.limitQuantity, when(item.lastConfirmedAt, now)],
      ...extra.map((s) => [
        s.accountId, html`<code>${s.posItemId}</code>`, quantity(s.onHand), quantity(s.available), s.limitQuantity,
        s.missingOnPos ? stateTag('missing on POS') : when(s.lastConfirmedAt, now),
      ]),
    ], '') : ''}
${series.length > 1 ? chart('Quantity over time', {
      kind: 'steps',
      x: points,
      series: [{ label: 'Available (shop)', values: series.map((p) => p.available), color: COLORS.blue }, { label: 'On hand (POS)', values: series.map((p) => p.onHand), color: COLORS.violet }],
    }, timeLabel) : ''}
<h2>Journal</h2>
${table('Every change of this item, newest first', ['When', 'Cause', 'Shop quantity', 'On hand (POS)', 'Because of'], journal.map((e) => [
      when(e.at, now),
      e.cause,
      html`${quantity(e.before)} → ${quantity(e.after)}`,
      html`${quantity(e.onHandBefore)} → ${quantity(e.onHandAfter)}`,
      e.runId !== null ? html`<a href="${ctx.base}/runs/${e.runId}">run ${e.runId}</a>` : e.saleId ? html`<a href="${ctx.base}/sales/${e.saleId}">sale ${e.saleId}</a>` : '',
    ]), 'No change journaled yet.')}
${nextPageLink(journal.length === 50 ? withQuery(`${ctx.base}/items/${encodeURIComponent(id)}`, { before: journal[journal.length - 1]!.id }) : null)}
<h2>Sales</h2>
${table('Latest sales of this item', ['Sale', 'State', 'Qty', 'Received', 'Last error'], sales.map((s) => [
      html`<a href="${ctx.base}/sales/${s.id}">${s.id}</a>`, stateTag(s.state), s.quantity, when(s.createdAt, now), s.lastError ?? '',
    ]), 'No sale of this item yet.')}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/items', `Item ${id}`, body).value);
  });
}
