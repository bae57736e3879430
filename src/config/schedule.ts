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

const intervalCache = new Map<string, number>();

/**
 * croner converts every date through Intl when given a `timezone`: walking a minutely cron over
 * eight days took ~1.2 s of CPU at every start. With a fixed `utcOffset` it is ~6× faster and
 * gives the same runs, so a zone whose offset does not change over the horizon (no DST switch in
 * the next eight days, and UTC always) is given as its offset; only a switch needs the zone.
 */
function zoneOption(timeZone: string, from: number, to: number): { utcOffset: number } | { timezone: string } {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offsetAt = (at: number): number | null => {
    const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
    if (name === 'GMT') return 0;
    const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
    return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : null;
  };
  const first = offsetAt(from);
  for (let at = from; at <= to + 3600_000; at += 3600_000) {
    if (first === null || offsetAt(at) !== first) return { timezone: timeZone };
  }
  return { utcOffset: first! };
}

/**
 * The poll interval a cron gives: the longest gap between two runs over the coming eight days
 * (so a weekday-only schedule's weekend counts, and an item is not called stale merely because
 * the schedule rests). Cached per expression and zone. Null when the cron never fires twice.
 */
export function pollIntervalSeconds(expression: string, timeZone = 'UTC'): number | null {
  const key = `${expression}\u0000${timeZone}`;
  const cached = intervalCache.get(key);
  if (cached !== undefined) return cached;
  const start = Date.now();
  const horizon = start + 8 * 24 * 3600_000;
  const job = new Cron(expression, { ...CRON_OPTIONS, paused: true, ...zoneOption(timeZone, start, horizon) });
  try {
    let previous = job.nextRun(new Date(start));
    let longest = 0;
    // A minutely cron runs 11,520 times in eight days; the cap bounds odd expressions.
    for (let i = 0; previous && previous.getTime() < horizon && i < 20_000; i++) {
      const next = job.nextRun(previous);
      if (!next) break;
      longest = Math.max(longest, next.getTime() - previous.getTime());
      previous = next;
    }
    // A cron that fires less than twice in eight days (monthly, yearly): its one gap is unknown
    // here, so take the time to its next run from now as the best bound there is.
    if (longest === 0) {
      const first = job.nextRun(new Date(start));
      const second = first ? job.nextRun(first) : null;
      if (!first || !second) return null;
      longest = second.getTime() - first.getTime();
    }
    const seconds = Math.round(longest / 1000);
    intervalCache.set(key, seconds);
    return seconds;
  } finally {
    job.stop();
  }
}
