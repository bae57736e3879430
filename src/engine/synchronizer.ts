import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import type { Core } from '../core/open.ts';
import type { ScheduleConfig } from '../config/types.ts';
import { getSetting, setSetting } from '../core/settings.ts';
import { lastRuns, type SyncRun } from '../core/runs.ts';
import { CRON_OPTIONS, canonicalTimeZone, cronProblem } from '../config/schedule.ts';
import type { JobsPort } from './jobs-port.ts';
import type { AccountSet } from './accounts.ts';
import { EngineInputError, type RunView, type SynchronizerControl, type SynchronizerStatus } from './ports.ts';
import { accountFreshness } from './freshness.ts';
import { silentLogger, type Logger } from '../log.ts';
import { heldRunsByAccount } from '../core/run-plans.ts';
import { allPauses, type AccountPause } from '../core/account-pauses.ts';

/** The schedule that actually runs, and whether it was set through the API (stored) or comes from the config. */
export interface ScheduleInForce {
  cron: string;
  timeZone: string;
  source: 'stored' | 'config';
}

/**
 * Start/stop/force and status. The running flag and the schedule live in the core's settings
 * (rule 8); the config's schedule applies until one is set at run time.
 */
export class Synchronizer implements SynchronizerControl {
  constructor(
    private readonly core: Core,
    private readonly jobs: JobsPort,
    private readonly accounts: AccountSet,
    private readonly defaults: ScheduleConfig,
    private readonly log: Logger = silentLogger(),
  ) {}

  /** At boot: restore what was stored, or apply the config's StartOnBoot the first time. */
  async restore(): Promise<void> {
    const running = (await getSetting(this.core.sql, 'synchronizer.running')) ?? this.defaults.startOnBoot;
    const { cron, timeZone } = await this.schedule();
    if (running) await this.jobs.schedulePolls(this.accounts.ids(), cron, timeZone);
    else await this.jobs.unschedulePolls();
  }

  async status(): Promise<SynchronizerStatus> {
    const running = (await getSetting(this.core.sql, 'synchronizer.running')) ?? false;
    const { cron, timeZone } = await this.schedule();
    const runs = new Map((await lastRuns(this.core.sql)).map((run) => [run.accountId, run]));
    const configs = this.accounts.all().map((a) => a.config);
    const freshness = new Map((await accountFreshness(this.core.sql, configs, this.defaults, { cron, timeZone })).map((f) => [f.accountId, f]));
    const held = await heldRunsByAccount(this.core.sql);
    const pauses = await allPauses(this.core.sql);
    const starts = [...runs.values()].map((r) => r.startedAt.getTime());
    return {
      running,
      cron,
      timeZone,
      cronText: describeCron(cron),
      nextRunAt: running ? nextRun(cron, timeZone) : null,
      lastRunAt: starts.length ? new Date(Math.max(...starts)).toISOString() : null,
      accounts: this.accounts.all().map((a) => {
        const run = runs.get(a.config.id);
        return {
          accountId: a.config.id,
          accountName: a.config.name,
          pos: a.config.connection.pos,
          lastRun: run ? toRunView(run) : null,
          freshness: freshness.get(a.config.id) ?? null,
          quota: a.adapter.quota?.() ?? null,
          heldRunId: held.get(a.config.id) ?? null,
          pause: pauseView(pauses.get(a.config.id)),
        };
      }),
    };
  }

  async start(change: { cron?: string; timeZone?: string } = {}): Promise<SynchronizerStatus> {
    const current = await this.schedule();
    const timeZone = change.timeZone === undefined ? current.timeZone : canonicalTimeZone(change.timeZone);
    if (timeZone === undefined) throw new EngineInputError('time_zone', `"${change.timeZone}" is not an IANA time zone (e.g. Europe/Brussels)`);
    const cron = change.cron?.trim() ?? current.cron;
    const problem = cronProblem(cron, timeZone);
    if (problem) throw new EngineInputError('cron', `cron "${cron}": ${problem}`);
    const changed = cron !== current.cron || timeZone !== current.timeZone;
    if (change.cron !== undefined || change.timeZone !== undefined) {
      await setSetting(this.core.sql, 'synchronizer.schedule', { cron, timeZone });
    }
    await this.jobs.schedulePolls(this.accounts.ids(), cron, timeZone);
    await setSetting(this.core.sql, 'synchronizer.running', true);
    this.log.info(
      { event: changed ? 'config.schedule_changed' : 'synchronizer.started', cron, timeZone, previous: changed ? { cron: current.cron, timeZone: current.timeZone } : undefined },
      changed ? `schedule changed to "${cron}" in ${timeZone} (was "${current.cron}" in ${current.timeZone}); synchronizer running` : 'synchronizer started',
    );
    return this.status();
  }

  async stop(): Promise<SynchronizerStatus> {
    await this.jobs.unschedulePolls();
    await setSetting(this.core.sql, 'synchronizer.running', false);
    this.log.info({ event: 'synchronizer.stopped' }, 'synchronizer stopped');
    return this.status();
  }

  async forceUpdate(accountId?: string): Promise<Array<{ accountId: string; jobId: string | null }>> {
    if (accountId !== undefined && !this.accounts.get(accountId)) {
      throw new EngineInputError('account_id', `no configured account has the id "${accountId}"`, 404, { known_account_ids: this.accounts.ids() });
    }
    const ids = accountId === undefined ? this.accounts.ids() : [accountId];
    const queued: Array<{ accountId: string; jobId: string | null }> = [];
    for (const id of ids) {
      const jobId = await this.jobs.queuePoll(id);
      this.log.info({ event: 'poll.forced', accountId: id, jobId: jobId.id, joined: jobId.joined }, jobId.joined ? `poll of ${id} forced: joins the poll already queued (${jobId.id})` : `poll of ${id} forced (job ${jobId.id})`);
      queued.push({ accountId: id, jobId: jobId.id });
    }
    return queued;
  }

  /** The schedule that runs: stored through the API, else the config's. */
  async inForce(): Promise<ScheduleInForce> {
    const stored = await getSetting(this.core.sql, 'synchronizer.schedule');
    return stored ? { ...stored, source: 'stored' } : { cron: this.defaults.cron, timeZone: this.defaults.timeZone, source: 'config' };
  }

  private async schedule(): Promise<{ cron: string; timeZone: string }> {
    const { cron, timeZone } = await this.inForce();
    return { cron, timeZone };
  }
}

export function describeCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return cron;
  }
}

function nextRun(cron: string, timeZone: string): string | null {
  const job = new Cron(cron, { ...CRON_OPTIONS, paused: true, timezone: timeZone });
  const next = job.nextRun();
  job.stop();
  return next ? next.toISOString() : null;
}

export function toRunView(run: SyncRun): RunView {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    itemsRead: run.itemsRead,
    itemsChanged: run.itemsChanged,
    apiCalls: run.apiCalls,
    error: run.error,
  };
}

export function pauseView(pause: AccountPause | undefined): { reason: string; runId: number | null; pausedAt: string } | null {
  return pause ? { reason: pause.reason, runId: pause.runId, pausedAt: pause.pausedAt.toISOString() } : null;
}
