/**
 * Hangfire's cron dialect (5 fields: minute hour day-of-month month day-of-week, 0 or 7 =
 * Sunday, JAN/MON names) checked with croner, forced to 5-part mode because croner would also
 * take a leading seconds field, which Hangfire's format does not have.
 */
import { Cron } from 'croner';

/** The options the scheduler must use too, so what check-config accepts is what runs. */
export const CRON_OPTIONS = { mode: '5-part' } as const;

/** Why the expression is not a valid 5-field cron, or null when it is. */
export function cronProblem(expression: string, timeZone = 'UTC'): string | null {
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith('@') && fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  }
  try {
    const job = new Cron(expression, { ...CRON_OPTIONS, paused: true, timezone: timeZone });
    const next = job.nextRun();
    job.stop();
    if (next === null) return 'never fires';
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    return `is not a valid cron expression: ${reason}`;
  }
}

/** The canonical IANA name (e.g. "utc" → "UTC"), or undefined when the zone is unknown. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
