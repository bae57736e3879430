/** Accounts: last poll, call budget, rate-limit model, token state (never the token), items mapped and stale. */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.ts';
import { duration, page, stateTag, when, withQuery } from '../layout.ts';
import type { DashboardAccount, DashboardEnv } from '../env.ts';
import { callsThisMonth, missingOnPosByAccount, tokenExpiries } from '../queries/accounts.ts';

function rateLimitText(account: DashboardAccount, used: number | undefined): Html {
  const model = account.rateLimit;
  if (model.kind === 'monthly-quota') {
    const spent = used ?? 0;
    return html`${Math.max(0, model.callsPerMonth - spent)} of ${model.callsPerMonth} calls left this month <span class="muted">(${spent} used; at most ${model.maxConcurrent} at once)</span>`;
  }
  if (model.kind === 'leaky-bucket') return html`leaky bucket of ${model.size} calls, refilling ${model.dripPerSecond} per second; possync paces itself from the POS's headers`;
  return html`no published limit; possync backs off when the POS answers 429${used !== undefined ? html` <span class="muted">(${used} calls this month)</span>` : ''}`;
}

function ageText(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export async function accountRoutes(app: FastifyInstance, env: DashboardEnv): Promise<void> {
  app.get('/accounts', async (request, reply) => {
    const ctx = env.ctx(request);
    const { sql, service } = env.deps;
    const [status, missing, calls, tokens] = await Promise.all([service.synchronizer.status(), missingOnPosByAccount(sql), callsThisMonth(sql), tokenExpiries(sql)]);
    const now = Date.now();
    const sections = env.deps.accounts.map((account) => {
      const view = status.accounts.find((a) => a.accountId === account.id);
      const run = view?.lastRun ?? null;
      const fresh = view?.freshness ?? null;
      const missingOnPos = missing.get(account.id) ?? 0;
      const token = account.tokenKey ? tokens.get(account.tokenKey) : undefined;
      return html`<section class="card" id="account-${account.id}" aria-labelledby="account-h-${account.id}">
<h2 id="account-h-${account.id}">${account.name} <span class="muted">(${account.pos}, id ${account.id})</span></h2>
<dl class="facts">
  <dt>Last poll</dt><dd>${run
    ? html`${stateTag(run.status)} <a href="${ctx.base}/runs/${run.id}">${when(run.startedAt, now)}</a>, took ${duration(run.startedAt, run.finishedAt)}; ${run.itemsRead} read, ${run.itemsChanged} changed, ${run.apiCalls} POS calls${run.error ? html`<br><strong>Error:</strong> ${run.error}` : ''}`
    : html`<span class="muted">never polled</span>`}</dd>
  <dt>POS calls</dt><dd>${rateLimitText(account, calls.get(account.id))}</dd>
  <dt>Token</dt><dd>${account.tokenKey
    ? token
      ? token.expiresAt.getTime() > now
        ? html`${stateTag('valid')} until ${when(token.expiresAt, now)} <span class="muted">(rotated ${when(token.updatedAt, now)})</span>`
        : html`${stateTag('expired')} ${when(token.expiresAt, now)}; refreshed on the next call`
      : html`<span class="muted">none stored yet: the configured tokens are in use until the first refresh</span>`
    : html`<span class="muted">a fixed key from the configuration (not shown)</span>`}</dd>
  <dt>Items</dt><dd><a href="${withQuery(`${ctx.base}/items`, { account: account.id })}">${fresh?.items ?? 0} mapped</a>;
    ${fresh && fresh.staleItems > 0
      ? html`${stateTag('stale')} ${fresh.staleItems} not confirmed by the POS within ${ageText(fresh.maxItemAgeSeconds)}${fresh.neverConfirmed ? html` (${fresh.neverConfirmed} never)` : ''}`
      : html`none stale${fresh ? html` <span class="muted">(an item is stale after ${ageText(fresh.maxItemAgeSeconds)} without a POS count)</span>` : ''}`}${missingOnPos ? html`; ${missingOnPos} no longer on the POS` : ''}</dd>
  ${view?.heldRunId ? html`<dt>Held run</dt><dd>${stateTag('held')} <a href="${ctx.base}/runs/${view.heldRunId}/plan">run ${view.heldRunId}</a> waits for a decision: its counts are not written</dd>` : ''}
  ${view?.pause ? html`<dt>Polls</dt><dd>${stateTag('paused')} ${view.pause.reason}, ${when(view.pause.pausedAt, now)}: <a href="${ctx.base}/held">resume on Held runs</a></dd>` : ''}
  <dt>History</dt><dd><a href="${withQuery(`${ctx.base}/runs`, { account: account.id })}">every run of this account</a></dd>
</dl>
</section>`;
    });
    const body = sections.length ? html`${sections}` : html`<p class="empty">No account is configured.</p>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, '/accounts', 'Accounts', body).value);
  });
}
