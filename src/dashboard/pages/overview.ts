/**
 * The overview: is the synchronizer running and when does it run next, did each account's last
 * poll succeed, which sales failed and why, live counters (refreshed every 2 s by htmx), and the
 * last 24 hours as charts.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.ts';
import { page, stateTag, table, when, withQuery, type PageContext } from '../layout.ts';
import type { DashboardEnv } from '../env.ts';
import { COUNTED_OVER_24H, JOB_TABS, jobCounts, jobsPerHour } from '../queries/jobs.ts';
import { SALE_STATES, SALES_COUNTED_OVER_24H, hourlySeries, recentActions, runsPerHour, saleCounts, salesPerHour } from '../queries/activity.ts';
import { chart, COLORS, hourLabel } from '../charts.ts';

export async function overviewRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  app.get('/', async (request, reply) => {
    const ctx = env.ctx(request);
    const { sql } = env.deps;
    const now = Date.now();
    const [live, jobs, runs, sales, actions] = await Promise.all([
      liveSection(env, ctx),
      jobsPerHour(sql, env.deps.queues.all),
      runsPerHour(sql),
      salesPerHour(sql),
      recentActions(sql, 10),
    ]);
    const { hours, series } = hourlySeries(now, jobs, runs, sales);
    const [ok = [], failed = [], changed = [], calls = [], accepted = [], posted = []] = series;
    const body = html`
${live}
<section aria-labelledby="find-item">
  <h2 id="find-item">Look up an item</h2>
  <form method="get" action="${ctx.base}/items" class="search">
    <label for="q">E-commerce id, POS id or name</label>
    <input id="q" name="q" type="search" placeholder="e.g. 1001" required>
    <button type="submit">Find</button>
  </form>
  <p class="muted">An item's page shows what happened to it (its journal), what the shop table holds now, and its sales.</p>
</section>
<section aria-labelledby="last-24h">
  <h2 id="last-24h">Last 24 hours</h2>
  <div class="charts">
    ${chart('Jobs per hour', { kind: 'bars', x: hours, series: [{ label: 'Succeeded', values: ok, color: COLORS.good }, { label: 'Failed', values: failed, color: COLORS.bad }] }, hourLabel)}
    ${chart('Polls per hour', { kind: 'bars', x: hours, series: [{ label: 'Items changed', values: changed, color: COLORS.blue }, { label: 'POS calls', values: calls, color: COLORS.violet }] }, hourLabel)}
    ${chart('Sales per hour', { kind: 'bars', x: hours, series: [{ label: 'Accepted', values: accepted, color: COLORS.blue }, { label: 'Posted', values: posted, color: COLORS.good }] }, hourLabel)}
  </div>
</section>
<section aria-labelledby="actions">
  <h2 id="actions">Recent actions from the dashboard</h2>
  ${table('Actions taken from the dashboard, newest first', ['When', 'Action', 'On', 'Detail', 'By'], actions.map((a) => [when(a.at, now), a.action, a.target, a.detail, a.actor]), 'No action has been taken from the dashboard yet.')}
</section>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '', 'Overview', body).value);
  });

  // The live part alone, fetched by htmx every 2 s.
  app.get('/fragments/live', async (request, reply) => {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send((await liveSection(env, env.ctx(request))).value);
  });
}

async function liveSection(env: DashboardEnv, ctx: PageContext): Promise<Html> {
  const { service, sql, queues } = env.deps;
  const now = Date.now();
  const [status, jobs, sales, failedSales] = await Promise.all([
    service.synchronizer.status(),
    jobCounts(sql, queues.all),
    saleCounts(sql),
    service.sales.list({ state: 'failed', limit: 10 }),
  ]);
  const base = ctx.base;
  const accountRows = status.accounts.map((a) => {
    const run = a.lastRun;
    return [
      html`<a href="${base}/accounts#account-${a.accountId}">${a.accountName}</a> <span class="muted">(${a.accountId})</span>`,
      a.pos,
      run ? html`<a href="${base}/runs/${run.id}">${when(run.startedAt, now)}</a>` : html`<span class="muted">never polled</span>`,
      run ? stateTag(run.status) : stateTag('never'),
      run ? `${run.itemsRead} read, ${run.itemsChanged} changed, ${run.apiCalls} calls` : '',
      a.freshness ? (a.freshness.staleItems > 0 ? html`${stateTag('stale')} ${a.freshness.staleItems} of ${a.freshness.items}` : html`0 of ${a.freshness.items}`) : '',
      run?.error ?? '',
    ];
  });
  return html`<section id="live" hx-get="${base}/fragments/live" hx-trigger="every 2s" hx-swap="outerHTML" aria-labelledby="sync-status">
  <h2 id="sync-status">Synchronizer</h2>
  <p class="status ${status.running ? 'good' : 'bad'}">
    <strong>${status.running ? 'Running' : 'Stopped'}</strong>:
    ${status.cronText.toLowerCase()} <code>${status.cron}</code>, time zone ${status.timeZone}.
    ${status.running ? html`Next run ${when(status.nextRunAt, now)}.` : html`No run is scheduled; <a href="${base}/recurring">resume it on Recurring</a>.`}
  </p>
  ${table('Each account\'s last poll', ['Account', 'POS', 'Last poll', 'Outcome', 'Counts', 'Stale items', 'Error'], accountRows, 'No account is configured.')}
  <div class="counters">
    <div><h3>Jobs</h3><ul class="counts">${JOB_TABS.map((tab) => html`<li><a href="${withQuery(`${base}/jobs`, { state: tab })}"><span class="n">${jobs[tab]}</span> ${tab}${COUNTED_OVER_24H.includes(tab) ? ' in 24 h' : ''}</a></li>`)}</ul></div>
    <div><h3>Sales</h3><ul class="counts">${SALE_STATES.map((state) => html`<li><a href="${withQuery(`${base}/sales`, { state })}"><span class="n">${sales[state]}</span> ${state}${SALES_COUNTED_OVER_24H.includes(state) ? ' in 24 h' : ''}</a></li>`)}</ul></div>
  </div>
  <h3>Failed sales</h3>
  ${table('Sales that could not be posted, newest first', ['Sale', 'Item', 'Qty', 'Since', 'Why'],
    failedSales.map((s) => [html`<a href="${base}/sales/${s.id}">${s.id}</a>`, html`<a href="${base}/items/${encodeURIComponent(s.ecommerceId)}">${s.ecommerceId}</a>`, s.quantity, when(s.updatedAt, now), s.lastError ?? '']),
    'No sale has failed.')}
</section>`;
}
