import type { PgBoss } from 'pg-boss';
import type { SqlQueryable } from '../core/sql.ts';
import { getSetting } from '../core/settings.ts';
import type { AccountSet } from '../engine/accounts.ts';
import { CHANGE_POLL_QUEUE, type AccountJobData } from './queues.ts';

/**
 * Queues a change poll every `changePollSeconds` for each account that has a change feed, while
 * the synchronizer runs. pg-boss cron has minute resolution, so the tick is a timer; the queue's
 * stately policy collapses ticks that find a poll still waiting (and those of other instances
 * sharing a PostgreSQL core), so a slow POS never piles polls up.
 */
export interface ChangePollTicker {
  stop(): void;
}

export function startChangePolls(
  sql: SqlQueryable,
  boss: PgBoss,
  accounts: AccountSet,
  notify: () => void,
  onError: (error: Error) => void,
): ChangePollTicker {
  const timers: NodeJS.Timeout[] = [];
  for (const account of accounts.all()) {
    const seconds = account.config.realtime?.changePollSeconds;
    if (!seconds || !account.adapter.readChangedSince) continue;
    const data: AccountJobData = { accountId: account.config.id };
    const tick = async () => {
      if (!(await getSetting(sql, 'synchronizer.running'))) return;
      if (await boss.send(CHANGE_POLL_QUEUE, data, { singletonKey: data.accountId })) notify();
    };
    const timer = setInterval(() => tick().catch(onError), seconds * 1000);
    timer.unref();
    timers.push(timer);
  }
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
