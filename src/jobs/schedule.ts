import type { PgBoss } from 'pg-boss';
import { POLL_QUEUE, type PollJobData } from './queues.ts';

/**
 * One pg-boss schedule per account (keyed by account id), stored in the database: schedules
 * survive restarts (the original wiped them at boot), and several instances never double them.
 */
export async function scheduleAccounts(boss: PgBoss, accountIds: readonly string[], cron: string, timeZone: string): Promise<void> {
  for (const accountId of accountIds) {
    const data: PollJobData = { accountId, trigger: 'cron' };
    await boss.schedule(POLL_QUEUE, cron, data, { tz: timeZone, key: accountId, singletonKey: accountId });
  }
  await unscheduleOthers(boss, accountIds);
}

export async function unscheduleAccounts(boss: PgBoss): Promise<void> {
  for (const schedule of await boss.getSchedules(POLL_QUEUE)) {
    await boss.unschedule(POLL_QUEUE, schedule.key);
  }
}

/** Drops schedules of accounts no longer in the config. */
export async function unscheduleOthers(boss: PgBoss, keep: readonly string[]): Promise<void> {
  for (const schedule of await boss.getSchedules(POLL_QUEUE)) {
    if (!keep.includes(schedule.key)) await boss.unschedule(POLL_QUEUE, schedule.key);
  }
}
