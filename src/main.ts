import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { PossyncConfig } from './config/types.ts';
import { openCore, type Core } from './core/open.ts';
import { failAbandonedRuns } from './core/runs.ts';
import { DbTokenStore } from './core/token-store.ts';
import { DbBudgetStore } from './core/budget-store.ts';
import { openSink } from './sink/open.ts';
import type { Sink } from './sink/sink.ts';
import { createAdapter } from './pos/registry.ts';
import { startBoss } from './jobs/boss.ts';
import { startWorkers, type Workers } from './jobs/workers.ts';
import { startChangePolls } from './jobs/change-polls.ts';
import { CHANGE_POLL_QUEUE, WEBHOOK_QUEUE, type AccountJobData } from './jobs/queues.ts';
import { WebhookIntake } from './engine/webhooks.ts';
import { webhookControl } from './engine/webhook-setup.ts';
import { AccountSet } from './engine/accounts.ts';
import { Synchronizer } from './engine/synchronizer.ts';
import { Items } from './engine/items.ts';
import { SaleIntake } from './engine/sales/intake.ts';
import { SalesService } from './engine/sales/service.ts';
import { SinkFlusher } from './engine/sink-flusher.ts';
import { reservedSince } from './core/sales/ledger.ts';
import { recoverJobs } from './jobs/recovery.ts';
import type { HealthView, Service } from './engine/ports.ts';
import type { SyncContext } from './engine/sync.ts';
import { buildApi } from './api/app.ts';
import type { PgBoss } from 'pg-boss';

/**
 * The composition root: the config is parsed once by the caller and handed in; everything is
 * opened here, in order, and closed in the reverse order.
 */
export interface RunningPossync {
  url: string;
  service: Service;
  core: Core;
  sink: Sink;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: (message: string) => void;
  /** Listen at all (tests may only want the service). */
  listen?: boolean;
}

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function startPossync(config: PossyncConfig, options: StartOptions = {}): Promise<RunningPossync> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: Error) => log(`while closing: ${error.message}`));
  };
  try {
    const core = await openCore(config.core, { accounts: config.accounts, onNotice: log });
    closers.push(() => core.close());
    log(`core database: ${core.describe()}${core.migrations.applied.length ? ` (migrated: ${core.migrations.applied.join(', ')})` : ''}`);
    // PGlite has one process by construction; runs it left open were cut short by a crash.
    if (core.kind === 'pglite') await failAbandonedRuns(core.sql);

    const sink = await openSink(config.sink, config.sinkTable, { core: core.sql });
    closers.push(() => sink.close());
    log(`shop table: ${sink.describe()}`);

    const tokenStore = new DbTokenStore(core.sql);
    const budgets: DbBudgetStore[] = [];
    const handles = [];
    for (const account of config.accounts) {
      const budgetStore = await DbBudgetStore.open(core.sql, account.id, { onError: (e) => log(`call budget of ${account.id}: ${e.message}`) });
      budgets.push(budgetStore);
      handles.push({ config: account, adapter: createAdapter(account.connection, { tokenStore, budgetStore }) });
    }
    closers.push(async () => {
      for (const budget of budgets) await budget.flush();
    });
    const accounts = new AccountSet(handles);

    const boss: PgBoss = await startBoss(core, (error) => log(`job queue: ${error.message}`));
    closers.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
    const context: SyncContext = { core, sink, reserved: reservedSince, onProgress: progressLogger(log) };
    const flusher = new SinkFlusher(context, (error) => log(`shop table not updated yet (will retry): ${error.message}`));
    closers.push(() => flusher.idle());
    const intake = new SaleIntake(core, boss, () => flusher.request());
    await recoverJobs(core, boss, log);
    const workers: Workers = await startWorkers(boss, context, accounts, log);
    closers.push(() => workers.stop());

    const changePolls = startChangePolls(core.sql, boss, accounts, () => workers.notify(CHANGE_POLL_QUEUE), (error) => log(`change poll not queued: ${error.message}`));
    closers.push(async () => changePolls.stop());

    let url = '';
    // Where POS webhooks reach us: as configured, else the address we listen on.
    const publicUrl = () => config.server.publicUrl ?? (url || `http://${config.server.host}:${config.server.port}`);
    const webhookIntake = new WebhookIntake({ core }, accounts, {
      publicUrl,
      async queue(accountId) {
        const data: AccountJobData = { accountId };
        await boss.send(WEBHOOK_QUEUE, data, { singletonKey: accountId });
        workers.notify(WEBHOOK_QUEUE);
      },
    });

    const synchronizer = new Synchronizer(core, boss, accounts, config.schedule);
    await synchronizer.restore();
    const service: Service = {
      synchronizer,
      webhooks: webhookControl(core.sql, accounts, webhookIntake, publicUrl),
      items: new Items(context, boss, accounts),
      sales: new SalesService(core, boss, intake, () => flusher.request()),
      accountIds: () => accounts.ids(),
      health: () => health(core, sink, boss),
    };

    if (options.listen !== false) {
      const api: FastifyInstance = await buildApi(service, { apiKeys: config.server.apiKeys, version: VERSION });
      await api.listen({ host: config.server.host, port: config.server.port });
      closers.push(() => api.close());
      const address = api.server.address();
      const port = typeof address === 'object' && address ? address.port : config.server.port;
      url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
    }
    return { url, service, core, sink, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
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

async function health(core: Core, sink: Sink, boss: PgBoss): Promise<HealthView> {
  const check = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      return { ok: true } as const;
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
  const coreCheck = await check(() => core.sql.query('select 1'));
  const sinkCheck = await check(() => sink.readQuantities([]));
  const jobsCheck = await check(() => boss.getQueues());
  return {
    ok: coreCheck.ok && sinkCheck.ok && jobsCheck.ok,
    core: { kind: core.kind, ...coreCheck },
    sink: { target: sink.describe(), ...sinkCheck },
    jobs: jobsCheck,
  };
}
