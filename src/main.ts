import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { PossyncConfig } from './config/types.ts';
import { isLoopback, openApiProblem } from './config/open-api.ts';
import { openCore, type Core } from './core/open.ts';
import { failAbandonedRunsWhereFree } from './core/runs.ts';
import { DbTokenStore } from './core/token-store.ts';
import { DbBudgetStore } from './core/budget-store.ts';
import { DbRateLimitStore } from './core/rate-limit-store.ts';
import { MemoryRateLimitStore } from './pos/rate-limit-store.ts';
import { openSink } from './sink/open.ts';
import { createAdapter, rateLimitOf } from './pos/registry.ts';
import { startBoss } from './jobs/boss.ts';
import { createJobsPort } from './jobs/port.ts';
import { startWorkers, type Workers } from './jobs/workers.ts';
import { startChangePolls } from './jobs/change-polls.ts';
import { CHANGE_POLL_QUEUE, WEBHOOK_QUEUE } from './jobs/queues.ts';
import { WebhookIntake } from './engine/webhooks.ts';
import { webhookControl } from './engine/webhook-setup.ts';
import { AccountSet, type AccountHandle } from './engine/accounts.ts';
import { Synchronizer } from './engine/synchronizer.ts';
import { Items } from './engine/items.ts';
import { RunDecisions } from './engine/run-control.ts';
import { SaleIntake } from './engine/sales/intake.ts';
import { SalesService } from './engine/sales/service.ts';
import { SinkFlusher } from './engine/sink-flusher.ts';
import { reservedSince } from './core/sales/ledger.ts';
import { recoverJobs } from './jobs/recovery.ts';
import type { Service } from './engine/ports.ts';
import { checkHealth, checkReadiness, type HealthDeps } from './engine/health.ts';
import { accountFreshness } from './engine/freshness.ts';
import { collectingLogger, type Logger } from './log.ts';
import { PossyncMetrics } from './observe/metrics.ts';
import { observedFetch } from './observe/pos-calls.ts';
import { trackSink, type TrackedSink } from './sink/tracked.ts';
import { describeAccount } from './config/describe.ts';
import { configSecrets } from './config/secrets.ts';
import { quotaPause, type SyncContext } from './engine/sync.ts';
import { buildApi } from './api/app.ts';
import type { PgBoss } from 'pg-boss';
import { bossJobActions } from './dashboard/job-actions.ts';
import { POLL_QUEUE, QUEUE_NAMES } from './jobs/queues.ts';
import type { DashboardAccount, DashboardDeps } from './dashboard/env.ts';

/**
 * The composition root: the config is parsed once by the caller and handed in; everything is
 * opened here, in order, and closed in the reverse order.
 */
export interface RunningPossync {
  url: string;
  service: Service;
  core: Core;
  sink: TrackedSink;
  metrics: PossyncMetrics;
  logger: Logger;
  /** The HTTP app (null when not listening), for `inject` tests. */
  api: FastifyInstance | null;
  /** What the dashboard reads and acts through, so a test can mount it again with other keys. */
  dashboard: DashboardDeps;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The service's one logger, made by the entry point (createLogger). */
  logger?: Logger;
  /** Older form: plain messages to a function (used when no logger is given). */
  log?: (message: string) => void;
  /** Listen at all (tests may only want the service). */
  listen?: boolean;
  /** Milliseconds between retries of shop-table writes while they fail (default 15 s). */
  sinkRetryMs?: number;
}

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function startPossync(config: PossyncConfig, options: StartOptions = {}): Promise<RunningPossync> {
  const logger = options.logger ?? collectingLogger((entry) => options.log?.(String(entry['msg'] ?? '')), { level: 'info', secrets: configSecrets(config) });
  const log = (message: string) => logger.info(message);
  const metrics = new PossyncMetrics();
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: Error) => logger.warn({ err: error }, `while closing: ${error.message}`));
  };
  try {
    const core = await openCore(config.core, { accounts: config.accounts, onNotice: log });
    closers.push(() => core.close());
    logger.info(
      { event: 'startup.core', kind: core.kind, dataFolder: config.core.kind === 'pglite' ? config.core.dataDir : undefined, migrated: core.migrations.applied },
      `core database: ${core.describe()}${core.migrations.applied.length ? ` (migrated: ${core.migrations.applied.join(', ')})` : ''}`,
    );
    // Runs whose account's poll lock is free were cut short by a crash (another instance's live run keeps its lock).
    await failAbandonedRunsWhereFree(core.sql, core.locks);

    const sink = trackSink(await openSink(config.sink, config.sinkTable, { core: core.sql }), (outcome, rows) => {
      if (outcome.ok) return;
      metrics.sinkWriteFailures.inc();
      logger.warn({ event: 'sink.write_failed', code: outcome.code, rows }, `shop table write failed${outcome.code ? ` (${outcome.code})` : ''}; the rows stay pending and are retried`);
    });
    closers.push(() => sink.close());
    log(`shop table: ${sink.describe()}`);

    const tokenStore = new DbTokenStore(core.sql, core.locks);
    // Rate limits a POS counts per account whoever calls (Lightspeed's bucket and burst limiter):
    // booked in the database when instances may share it, else by this process's adapters in memory.
    const rateLimits = core.kind === 'postgres' ? new DbRateLimitStore(core.sql) : new MemoryRateLimitStore();
    const handles = [];
    for (const account of config.accounts) {
      const budgetStore = await DbBudgetStore.open(core.sql, account.id);
      const fetch = observedFetch(globalThis.fetch, { pos: account.connection.pos, accountId: account.id, metrics, log: logger });
      handles.push({ config: account, adapter: createAdapter(account.connection, { tokenStore, budgetStore, rateLimits, fetch }) });
      logger.info({ event: 'startup.account', accountId: account.id, pos: account.connection.pos }, `account ${describeAccount(account)}`);
    }
    const accounts = new AccountSet(handles);

    const boss: PgBoss = await startBoss(core, (error) => logger.error({ event: 'jobs.error', err: error }, `job queue: ${error.message}`), config.jobs);
    closers.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
    const context: SyncContext = { core, sink, reserved: reservedSince, onProgress: progressLogger(log) };
    const flusher = new SinkFlusher(context, (error) => logger.debug({ err: error }, `shop table not updated yet (will retry): ${error.message}`), 50, options.sinkRetryMs ?? 15_000);
    closers.push(() => flusher.idle());
    const jobs = createJobsPort(core, boss);
    const intake = new SaleIntake(core, jobs, () => flusher.request(), {
      isConfigured: (id) => accounts.get(id) !== undefined,
      isPaused: (id) => {
        const account = accounts.get(id);
        return account !== undefined && quotaPause(account) !== null;
      },
      routing: config.sales.routing === 'priority' ? { kind: 'priority', order: config.sales.sourcePriority } : { kind: 'most-available' },
      log,
    });
    await recoverJobs(core, boss, jobs, log);
    const workers: Workers = await startWorkers(boss, jobs, context, accounts, { log: logger, metrics }, { dispatchLeaseMs: config.jobs.dispatchLeaseSeconds * 1000 });
    closers.push(() => workers.stop());

    const changePolls = startChangePolls(core.sql, boss, accounts, () => workers.notify(CHANGE_POLL_QUEUE), (error) => logger.warn({ event: 'change_poll.not_queued', err: error }, `change poll not queued: ${error.message}`));
    closers.push(async () => changePolls.stop());

    let url = '';
    let api: FastifyInstance | null = null;
    // Where POS webhooks reach us: as configured, else the address we listen on.
    const publicUrl = () => config.server.publicUrl ?? (url || `http://${config.server.host}:${config.server.port}`);
    const webhookIntake = new WebhookIntake({ core }, accounts, {
      publicUrl,
      async queue(accountId) {
        await jobs.queueWebhook(accountId);
        workers.notify(WEBHOOK_QUEUE);
      },
    });

    const synchronizer = new Synchronizer(core, jobs, accounts, config.schedule, logger);
    await synchronizer.restore();
    const inForce = await synchronizer.inForce();
    const running = (await synchronizer.status()).running;
    logger.info(
      { event: 'startup.schedule', cron: inForce.cron, timeZone: inForce.timeZone, source: inForce.source, running },
      `schedule in force: "${inForce.cron}" in ${inForce.timeZone} (${inForce.source === 'stored' ? 'stored: set through the API, overrides the config' : 'from the config'}); synchronizer ${running ? 'running' : 'stopped (POST /api/synchronizer/start)'}`,
    );
    const schedule = async () => {
      const { cron, timeZone } = await synchronizer.inForce();
      return { cron, timeZone };
    };
    const healthDeps: HealthDeps = { core, sink, jobs, accounts, defaults: config.schedule, schedule, workersRunning: () => workers.running() };
    const freshness = async () => accountFreshness(core.sql, config.accounts, config.schedule, await schedule());
    metrics.bind({ core, accounts, boss, freshness });
    const service: Service = {
      synchronizer,
      webhooks: webhookControl(core.sql, accounts, webhookIntake, publicUrl),
      items: new Items(context, jobs, accounts),
      runs: new RunDecisions(context, () => accounts.ids()),
      sales: new SalesService(core, jobs, intake, () => flusher.request()),
      accountIds: () => accounts.ids(),
      health: () => checkHealth(healthDeps),
      readiness: () => checkReadiness(healthDeps),
      freshness,
    };

    const dashboard: DashboardDeps = {
      service,
      sql: core.sql,
      sink,
      jobs: bossJobActions(boss),
      accounts: accounts.all().map(dashboardAccount),
      // Every possync queue, so the Jobs pages count what pg-boss holds.
      queues: { poll: POLL_QUEUE, all: [...QUEUE_NAMES] },
    };
    if (options.listen !== false) {
      // The loader already refused this; a config built in code must not skip the rule either.
      const openApi = openApiProblem(config.server.host, config.server.apiKeys);
      if (openApi) throw new Error(`Server.ApiKeys ${openApi}`);
      api = await buildApi(service, {
        apiKeys: config.server.apiKeys,
        version: VERSION,
        logger,
        metrics,
        dashboard: { ...dashboard, readOnly: config.dashboard.readOnly },
        limits: config.server.limits,
      });
      await api.listen({ host: config.server.host, port: config.server.port });
      const listening = api;
      closers.push(() => listening.close());
      const address = api.server.address();
      const port = typeof address === 'object' && address ? address.port : config.server.port;
      url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
      const loopback = isLoopback(config.server.host);
      const rule = config.server.apiKeys.length > 0
        ? `/api and /metrics need an X-Api-Key (${config.server.apiKeys.length} key${config.server.apiKeys.length === 1 ? '' : 's'} configured); /healthz, /readyz and /docs are open`
        : `no API keys: the API is open to every caller that can reach ${config.server.host}${loopback ? ' (a loopback address: this machine only)' : ' (NOT a loopback address)'}`;
      logger.info({ event: 'startup.listening', url, host: config.server.host, port, apiKeys: config.server.apiKeys.length > 0 }, `listening on ${url}: ${rule}`);
    }
    return { url, service, core, sink, metrics, logger, api, dashboard, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** What the dashboard shows of an account: never a secret; the token's storage key when it has one. */
function dashboardAccount(handle: AccountHandle): DashboardAccount {
  const { config } = handle;
  const connection = config.connection as { accountId?: unknown };
  return {
    id: config.id,
    name: config.name,
    pos: config.connection.pos,
    rateLimit: rateLimitOf(config.connection),
    // Rotating OAuth tokens are stored under the connection's account id (pos_tokens).
    tokenKey: typeof connection.accountId === 'string' ? connection.accountId : undefined,
  };
}

/** Long polls (a big catalog's first sync) say how far they got, every 5 seconds. */
function progressLogger(log: (message: string) => void): NonNullable<SyncContext['onProgress']> {
  const last = new Map<string, { runId: number; at: number }>();
  return ({ accountId, runId, itemsRead, itemsChanged }) => {
    const now = Date.now();
    const seen = last.get(accountId);
    if (!seen || seen.runId !== runId) {
      last.set(accountId, { runId, at: now });
      return;
    }
    if (now - seen.at < 5_000) return;
    seen.at = now;
    log(`poll ${accountId}: ${itemsRead} items read, ${itemsChanged} changed so far…`);
  };
}
