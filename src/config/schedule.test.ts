import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalTimeZone, cronProblem } from './schedule.ts';

describe('Hangfire cron (5 fields)', () => {
  it('accepts the README example, names, Sunday as 0 or 7, steps', () => {
    for (const ok of ['* 11,12,13 * * 1,2,3,4,5', '0 9 * * MON-FRI', '30 8 1 JAN,JUL *', '0 0 * * 0', '0 0 * * 7', '*/5 * * * *', '0 12 * * sun']) {
      assert.equal(cronProblem(ok), null, ok);
    }
  });

  it('refuses 6 fields (seconds), 4 fields and out-of-range values', () => {
    assert.match(cronProblem('0 * * * * *')!, /5 fields/);
    assert.match(cronProblem('* * * *')!, /5 fields/);
    assert.match(cronProblem('61 * * * *')!, /minute/);
    assert.match(cronProblem('0 24 * * *')!, /hour/);
    assert.match(cronProblem('0 0 * * 8')!, /dayOfWeek/);
    assert.match(cronProblem('0 0 * FOO *')!, /not a valid cron/);
  });

  it('checks IANA time zones and returns their canonical name', () => {
    assert.equal(canonicalTimeZone('UTC'), 'UTC');
    assert.equal(canonicalTimeZone('Europe/Brussels'), 'Europe/Brussels');
    assert.equal(canonicalTimeZone('America/New_York'), 'America/New_York');
    assert.equal(canonicalTimeZone('Mars/Olympus_Mons'), undefined);
    assert.equal(canonicalTimeZone('not a zone'), undefined);
  });
});
