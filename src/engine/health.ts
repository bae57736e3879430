/**
 * Health as an operator needs it: each part ok / degraded / down, with a fixed reason code
 * and never an error text (a driver's or a POS's message may carry a host, a user or a token).
 * `down` means possync cannot do its job (core or job queue unreachable); `degraded` means it
 * runs but something needs a look (shop-table writes failing, a poll failing, stale items, a
 * sale waiting too long or failed).
 */
import type { JobsPort } from './jobs-port.ts';
import type { Core } from '../core/open.ts';
import { lastRuns, type RunStatus } from '../core/runs.ts';
import { heldRunsByAccount } from '../core/run-plans.ts';
import { allPauses } from '../core/account-pauses.ts';
import { saleStats } from '../core/sales/stats.ts';
import type { TrackedSink } from '../sink/tracked.ts';
import type { ScheduleConfig } from '../config/types.ts';
import type { AccountSet } from './accounts.ts';
import { accountFreshness, type AccountFreshness } from './freshness.ts';

export type HealthLevel = 'ok' | 'degraded' | 'down';

/** A sale still not posted after this long makes health degraded. */
export const PENDING_SALE_ALERT_SECONDS = 600;

export interface AccountHealth {
  accountId: string;
  pos: string;
  status: HealthLevel;
  reasons: string[];
  lastPoll: { status: RunStatus; startedAt: string; finishedAt: string | null } | null;
  freshness: AccountFreshness | null;
  /** The newest held run waiting for a decision. */
  heldRunId: number | null;
  /** Polls paused by an operator (after a revert). */
  paused: boolean;
}

export interface HealthReport {
  status: HealthLevel;
  checkedAt: string;
  core: { status: HealthLevel; kind: string; reason?: string };
  jobs: { status: HealthLevel; reason?: string };
  sink: {
    status: HealthLevel;
    target: string;
    reason?: string;
    lastWrite: { ok: boolean; at: string; code: string | null } | null;
  };
  accounts: AccountHealth[];
  sales: {
    status: HealthLevel;
    reason?: string;
    oldestPendingAt: string | null;
    oldestPendingAgeSeconds: number | null;
    failed: number;
    /** Sales the POS holds but refused to finish: an operator must finish or remove them. */
    incomplete: number;
  };
}

export interface Readiness {
  ready: boolean;
  /** The schema version found in the core, and the one this possync needs. */
  migrations: { status: HealthLevel; version: number | null; expected: number };
  workers: { status: HealthLevel };
  health: HealthReport;
}

export interface HealthDeps {
  core: Core;
  sink: TrackedSink;
  jobs: JobsPort;
  accounts: AccountSet;
  defaults: ScheduleConfig;
  schedule: () => Promise<{ cron: string; timeZone: string }>;
  workersRunning: () => boolean;
}

const worst = (levels: HealthLevel[]): HealthLevel => (levels.includes('down') ? 'down' : levels.includes('degraded') ? 'degraded' : 'ok');

async function succeeds(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch {
    return false;
  }
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const { core, sink, jobs, accounts } = deps;
  const coreUp = await succeeds(() => core.sql.query('select 1'));
  const jobsUp = await succeeds(() => jobs.check());

  const probe = await sink.probe();
  const last = sink.lastWrite();
  const sinkReason = !probe.ok ? 'shop_table_unreachable' : last && !last.ok ? 'last_write_failed' : undefined;
  const sinkPart: HealthReport['sink'] = {
    status: sinkReason ? 'degraded' : 'ok',
    target: sink.describe(),
    lastWrite: last ? { ok: last.ok, at: last.at.toISOString(), code: last.code } : null,
    ...(sinkReason ? { reason: sinkReason } : {}),
  };

  let accountParts: AccountHealth[] = [];
  let sales: HealthReport['sales'] = { status: 'ok', oldestPendingAt: null, oldestPendingAgeSeconds: null, failed: 0, incomplete: 0 };
  if (coreUp) {
    const runs = new Map((await lastRuns(core.sql)).map((r) => [r.accountId, r]));
    const held = await heldRunsByAccount(core.sql);
    const pauses = await allPauses(core.sql);
    const freshness = new Map(
      (await accountFreshness(core.sql, accounts.all().map((a) => a.config), deps.defaults, await deps.schedule())).map((f) => [f.accountId, f]),
    );
    accountParts = accounts.all().map((a) => {
      const run = runs.get(a.config.id);
      const fresh = freshness.get(a.config.id) ?? null;
      const reasons: string[] = [];
      if (run?.status === 'failed') reasons.push('last_poll_failed');
      if (fresh && fresh.staleItems > 0) reasons.push('stale_items');
      // A held run: the account's counts wait for an operator (GET /api/runs/{id}).
      if (held.has(a.config.id)) reasons.push('run_held');
      if (pauses.has(a.config.id)) reasons.push('polls_paused');
      return {
        accountId: a.config.id,
        pos: a.config.connection.pos,
        // A stale or failing account is degraded, never down: the rest of possync still works.
        status: reasons.length > 0 ? 'degraded' : 'ok',
        reasons,
        lastPoll: run ? { status: run.status, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null } : null,
        freshness: fresh,
        heldRunId: held.get(a.config.id) ?? null,
        paused: pauses.has(a.config.id),
      };
    });
    const stats = await saleStats(core.sql);
    const age = stats.oldestPendingAt ? Math.max(0, Math.round((Date.now() - stats.oldestPendingAt.getTime()) / 1000)) : null;
    const failed = stats.byState.failed ?? 0;
    const incomplete = stats.byState.incomplete ?? 0;
    const reason =
      age !== null && age > PENDING_SALE_ALERT_SECONDS ? 'oldest_pending_sale_too_old' : incomplete > 0 ? 'incomplete_sales' : failed > 0 ? 'failed_sales' : undefined;
    sales = {
      status: reason ? 'degraded' : 'ok',
      oldestPendingAt: stats.oldestPendingAt?.toISOString() ?? null,
      oldestPendingAgeSeconds: age,
      failed,
      incomplete,
      ...(reason ? { reason } : {}),
    };
  }

  const corePart: HealthReport['core'] = coreUp ? { status: 'ok', kind: core.kind } : { status: 'down', kind: core.kind, reason: 'core_unreachable' };
  const jobsPart: HealthReport['jobs'] = jobsUp ? { status: 'ok' } : { status: 'down', reason: 'job_queue_unreachable' };
  return {
    status: worst([corePart.status, jobsPart.status, sinkPart.status, sales.status, ...accountParts.map((a) => a.status)]),
    checkedAt: new Date().toISOString(),
    core: corePart,
    jobs: jobsPart,
    sink: sinkPart,
    accounts: accountParts,
    sales,
  };
}

export async function checkReadiness(deps: HealthDeps): Promise<Readiness> {
  const health = await checkHealth(deps);
  const workers = deps.workersRunning();
  const expected = deps.core.migrations.version;
  let version: number | null = null;
  try {
    const { rows } = await deps.core.sql.query<{ version: number | null }>('select max(version) as version from schema_migrations');
    version = rows[0]?.version ?? null;
  } catch {
    version = null;
  }
  const migrated = version === expected;
  return {
    ready: health.status !== 'down' && workers && migrated,
    migrations: { status: migrated ? 'ok' : 'down', version, expected },
    workers: { status: workers ? 'ok' : 'down' },
    health,
  };
}
