/**
 * possync's Prometheus metrics (prom-client), in a registry of their own so two services in one
 * process (tests) do not share counters. Counters move where the work happens (a poll's end, a
 * POS answer, a sale posted, a failed shop-table write); gauges that describe state (sales by
 * state, stale items, queue depth, quotas) are read from their source at scrape time, so they
 * are right after a restart and across instances sharing one PostgreSQL.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import { saleStats } from '../core/sales/stats.ts';
import type { SqlQueryable } from '../core/sql.ts';
import type { AccountSet } from '../engine/accounts.ts';
import type { AccountFreshness } from '../engine/freshness.ts';
import { SALE_TRANSITIONS } from '../core/sales/states.ts';
import { DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE } from '../jobs/queues.ts';
import type { AdapterLimits } from '../pos/contract.ts';

export interface MetricSources {
  core: Core;
  accounts: AccountSet;
  boss?: PgBoss;
  freshness: () => Promise<AccountFreshness[]>;
}

const SALE_STATES = Object.keys(SALE_TRANSITIONS);
const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;

export class PossyncMetrics {
  readonly registry = new Registry();
  readonly polls: Counter<'account' | 'outcome'>;
  readonly pollSeconds: Histogram<'account' | 'outcome'>;
  readonly itemsRead: Counter<'account'>;
  readonly itemsChanged: Counter<'account'>;
  readonly posCalls: Counter<'pos' | 'account' | 'endpoint' | 'status'>;
  readonly sinkWriteFailures: Counter;
  readonly salesPosted: Counter<'account'>;
  readonly saleToPostedSeconds: Histogram<'account'>;
  private sources: MetricSources | null = null;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'possync_process_' });
    this.polls = new Counter({ name: 'possync_polls_total', help: 'Polls finished, by account and outcome (ok, failed, held by the breaker)', labelNames: ['account', 'outcome'], registers });
    this.pollSeconds = new Histogram({
      name: 'possync_poll_duration_seconds',
      help: 'Wall time of a poll, from its start to its end, by account and outcome',
      labelNames: ['account', 'outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.itemsRead = new Counter({ name: 'possync_items_read_total', help: 'Item counts read from the POS by polls', labelNames: ['account'], registers });
    this.itemsChanged = new Counter({ name: 'possync_items_changed_total', help: 'Items whose available quantity a poll changed', labelNames: ['account'], registers });
    this.posCalls = new Counter({
      name: 'possync_pos_calls_total',
      help: 'HTTP calls to a POS, by POS, account, endpoint (method and path with ids replaced) and status (an HTTP status, or timeout / network)',
      labelNames: ['pos', 'account', 'endpoint', 'status'],
      registers,
    });
    this.sinkWriteFailures = new Counter({ name: 'possync_sink_write_failures_total', help: 'Writes to the shop table that failed (the rows stay pending and are retried)', registers });
    this.salesPosted = new Counter({ name: 'possync_sales_posted_total', help: 'Sales posted to the POS (or found there already)', labelNames: ['account'], registers });
    this.saleToPostedSeconds = new Histogram({
      name: 'possync_sale_to_posted_seconds',
      help: 'Time from a sale\'s acceptance to its being posted on the POS',
      labelNames: ['account'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });

    const self = this;
    new Gauge({
      name: 'possync_sales',
      help: 'Sales in the ledger by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const stats = await self.stats();
        if (!stats) return;
        for (const state of SALE_STATES) this.set({ state }, stats.byState[state as keyof typeof stats.byState] ?? 0);
      },
    });
    new Gauge({
      name: 'possync_oldest_pending_sale_age_seconds',
      help: 'Age of the oldest sale accepted and not yet posted (0 when none waits)',
      registers,
      async collect() {
        const stats = await self.stats();
        if (!stats) return;
        this.set(stats.oldestPendingAt ? Math.max(0, (Date.now() - stats.oldestPendingAt.getTime()) / 1000) : 0);
      },
    });
    // Per-account freshness figures, read from the core at scrape time.
    const freshnessGauge = (name: string, help: string, pick: (f: AccountFreshness) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['account'],
        registers,
        async collect() {
          for (const f of (await self.sources?.freshness()) ?? []) this.set({ account: f.accountId }, pick(f));
        },
      });
    freshnessGauge('possync_stale_items', 'Items not confirmed by their POS within the account\'s maximum age', (f) => f.staleItems);
    freshnessGauge('possync_items', 'Items mapped, by account', (f) => f.items);
    freshnessGauge('possync_max_item_age_seconds', 'The maximum age of an item\'s last POS confirmation before it counts as stale, by account', (f) => f.maxItemAgeSeconds);
    new Gauge({
      name: 'possync_jobs',
      help: 'Jobs in possync\'s queues by queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!self.sources) return;
        for (const row of await jobCounts(self.sources.core.sql)) this.set({ queue: row.queue, state: row.state }, row.n);
      },
    });
    // What each adapter says of its rate limits, read at scrape time; accounts without one are left out.
    const limitGauge = (name: string, help: string, pick: (limits: AdapterLimits) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['account'],
        registers,
        collect() {
          for (const a of self.sources?.accounts.all() ?? []) {
            const value = a.adapter.limits ? pick(a.adapter.limits()) : undefined;
            if (value !== undefined) this.set({ account: a.config.id }, value);
          }
        },
      });
    limitGauge('possync_pos_quota_left', 'Calls left this month on a POS with a monthly quota (Hiboutik)', (l) => l.quotaLeft);
    limitGauge('possync_pos_bucket_level', 'Estimated leaky-bucket level of a POS with one (Lightspeed); its size is possync_pos_bucket_size', (l) => l.bucketLevel);
    limitGauge('possync_pos_bucket_size', 'Size of a POS\'s leaky bucket (Lightspeed)', (l) => l.bucketSize);
    new Counter({
      name: 'possync_rate_limit_wait_seconds_total',
      help: 'Time spent waiting for rate-limit room before calling a POS',
      labelNames: ['account'],
      registers,
      collect() {
        // The adapters keep the running totals; the counter shows them as they are now.
        this.reset();
        for (const a of self.sources?.accounts.all() ?? []) {
          const waited = a.adapter.limits?.().rateLimitWaitMs;
          if (waited !== undefined) this.inc({ account: a.config.id }, waited / 1000);
        }
      },
    });
  }

  /** Connects the scrape-time gauges to the running service. */
  bind(sources: MetricSources): void {
    this.sources = sources;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** One poll's outcome. */
  observePoll(accountId: string, run: { status: string; startedAt: Date; finishedAt: Date | null; itemsRead: number; itemsChanged: number }): void {
    const outcome = run.status === 'ok' ? 'ok' : run.status === 'held' ? 'held' : 'failed';
    this.polls.inc({ account: accountId, outcome });
    const end = run.finishedAt ?? new Date();
    this.pollSeconds.observe({ account: accountId, outcome }, Math.max(0, (end.getTime() - run.startedAt.getTime()) / 1000));
    this.itemsRead.inc({ account: accountId }, run.itemsRead);
    this.itemsChanged.inc({ account: accountId }, run.itemsChanged);
  }

  observeSalePosted(accountId: string, acceptedAt: Date): void {
    this.salesPosted.inc({ account: accountId });
    this.saleToPostedSeconds.observe({ account: accountId }, Math.max(0, (Date.now() - acceptedAt.getTime()) / 1000));
  }

  private async stats() {
    if (!this.sources) return null;
    return saleStats(this.sources.core.sql);
  }
}

async function jobCounts(sql: SqlQueryable): Promise<Array<{ queue: string; state: string; n: number }>> {
  const { rows } = await sql.query<{ queue: string; state: string; n: number }>(
    `select name as queue, state::text as state, count(*)::int as n from pgboss.job where name like 'possync-%' group by name, state`,
  );
  // Every state of every queue, so a drained queue reads 0 rather than vanishing.
  const queues = new Set([POLL_QUEUE, DISPATCH_QUEUE, REGISTER_QUEUE, ...rows.map((r) => r.queue)]);
  const out = new Map(rows.map((r) => [`${r.queue}/${r.state}`, r]));
  const all: Array<{ queue: string; state: string; n: number }> = [];
  for (const queue of queues) for (const state of JOB_STATES) all.push(out.get(`${queue}/${state}`) ?? { queue, state, n: 0 });
  return all;
}
