import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncAccounts } from './accounts.ts';
import { getMapping, listMappings, mappedPosIds, MappingConflictError, registerMapping, UnknownAccountError } from './mappings.ts';
import { applyCountsPage, availableFrom, flagMissing } from './stock.ts';
import { listJournal } from './journal.ts';
import { finishRun, startRun } from './runs.ts';
import { forEachBackend, squareAccount } from '../../test/support/core.ts';

test('available is on hand less reserved, floored at 0, unknown when on hand is', () => {
  assert.equal(availableFrom(10, 3), 7);
  assert.equal(availableFrom(2, 5), 0);
  assert.equal(availableFrom(-4, 0), 0);
  assert.equal(availableFrom(null, 1), null);
});

forEachBackend('mappings and stock', (current) => {
  const t0 = new Date('2026-11-01T10:00:00Z');
  const t1 = new Date('2026-11-01T10:05:00Z');
  const t2 = new Date('2026-11-01T10:10:00Z');

  test('registering a mapping is idempotent; conflicts are typed', async () => {
    const { sql } = current().core;
    await syncAccounts(sql, [squareAccount('A'), squareAccount('B')]);
    const first = await registerMapping(sql, { ecommerceId: 'e1', accountId: 'A', posItemId: 'p1', description: 'Mug' });
    assert.equal(first.created, true);
    assert.equal(first.mapping.onHand, null);
    assert.equal(first.mapping.available, null);
    assert.equal(first.mapping.limitQuantity, 0);

    const again = await registerMapping(sql, { ecommerceId: 'e1', accountId: 'A', posItemId: 'p1', description: 'Blue mug', limitQuantity: 2 });
    assert.equal(again.created, false);
    assert.equal(again.mapping.description, 'Blue mug');
    assert.equal(again.mapping.limitQuantity, 2);

    await assert.rejects(registerMapping(sql, { ecommerceId: 'e1', accountId: 'A', posItemId: 'p2' }), (error: unknown) => {
      assert.ok(error instanceof MappingConflictError);
      assert.equal(error.conflict, 'ecommerce-id-mapped');
      assert.equal(error.existing.posItemId, 'p1');
      assert.equal(error.message, 'e-commerce item e1 is already mapped to POS item p1 in account A');
      return true;
    });
    await assert.rejects(registerMapping(sql, { ecommerceId: 'e1', accountId: 'B', posItemId: 'p1' }), { conflict: 'ecommerce-id-mapped' });
    await assert.rejects(registerMapping(sql, { ecommerceId: 'e9', accountId: 'A', posItemId: 'p1' }), (error: unknown) => {
      assert.ok(error instanceof MappingConflictError);
      assert.equal(error.conflict, 'pos-item-mapped');
      assert.equal(error.existing.ecommerceId, 'e1');
      return true;
    });
    // The same POS item id in another account is another item.
    assert.equal((await registerMapping(sql, { ecommerceId: 'e9', accountId: 'B', posItemId: 'p1' })).created, true);
    await assert.rejects(registerMapping(sql, { ecommerceId: 'e10', accountId: 'nope', posItemId: 'p1' }), UnknownAccountError);
    await assert.rejects(registerMapping(sql, { ecommerceId: 'e11', accountId: 'A', posItemId: 'p11', limitQuantity: -1 }), RangeError);

    assert.deepEqual(await mappedPosIds(sql, 'A'), ['p1']);
    assert.equal((await getMapping(sql, 'e9'))?.accountId, 'B');
    assert.equal(await getMapping(sql, 'missing'), null);
  });

  test('a conflict inside a caller transaction rolls the whole transaction back', async () => {
    const { sql } = current().core;
    await assert.rejects(
      sql.transaction(async (tx) => {
        await registerMapping(tx, { ecommerceId: 'tx1', accountId: 'A', posItemId: 'ptx1' });
        await registerMapping(tx, { ecommerceId: 'tx2', accountId: 'A', posItemId: 'ptx1' });
      }),
      MappingConflictError,
    );
    assert.equal(await getMapping(sql, 'tx1'), null);
  });

  test('a counts page writes and journals only what changed', async () => {
    const { sql } = current().core;
    await syncAccounts(sql, [squareAccount('S')]);
    for (const n of [1, 2, 3, 4]) await registerMapping(sql, { ecommerceId: `s${n}`, accountId: 'S', posItemId: `q${n}` });
    const run1 = await startRun(sql, { accountId: 'S', trigger: 'cron' });

    const first = await sql.transaction((tx) =>
      applyCountsPage(tx, {
        accountId: 'S',
        runId: run1.id,
        readStartedAt: t0,
        counts: [
          { posItemId: 'q1', onHand: 10 },
          { posItemId: 'q2', onHand: 3 },
          { posItemId: 'q3', onHand: null },
          { posItemId: 'zz', onHand: 7 },
        ],
        reservedByItem: new Map([['s1', 4], ['s2', 5]]),
      }),
    );
    assert.deepEqual(first.changes, [
      { ecommerceId: 's1', posItemId: 'q1', before: null, after: 6, onHandBefore: null, onHandAfter: 10 },
      { ecommerceId: 's2', posItemId: 'q2', before: null, after: 0, onHandBefore: null, onHandAfter: 3 },
    ]);
    assert.deepEqual(first.uncounted, ['s3']);
    assert.deepEqual(first.unmapped, ['zz']);
    // A poll keeps and applies only these after its plan: q3 (never counted, still unknown) wrote nothing.
    assert.deepEqual(first.written, ['q1', 'q2']);

    const afterFirst = new Map((await listMappings(sql, 'S')).map((m) => [m.ecommerceId, m]));
    assert.equal(afterFirst.get('s1')?.onHand, 10);
    assert.equal(afterFirst.get('s1')?.available, 6);
    assert.equal(afterFirst.get('s2')?.available, 0);
    assert.equal(afterFirst.get('s3')?.onHand, null, 'never counted stays unknown, not 0');
    assert.equal(afterFirst.get('s3')?.lastConfirmedAt, null);
    assert.ok(afterFirst.get('s1')?.lastConfirmedAt instanceof Date);
    assert.equal(afterFirst.get('s1')?.onHandReadAt?.getTime(), t0.getTime());
    assert.equal(afterFirst.get('s4')?.lastConfirmedAt, null, 'not in the page: untouched');

    const run2 = await startRun(sql, { accountId: 'S', trigger: 'forced' });
    const second = await applyCountsPage(sql, {
      accountId: 'S',
      runId: run2.id,
      readStartedAt: t1,
      counts: [
        { posItemId: 'q1', onHand: 10 }, // same count, same reservation: nothing to write
        { posItemId: 'q2', onHand: 3 }, // same count, reservation gone: available moves
        { posItemId: 'q3', onHand: 5 },
      ],
      reservedByItem: new Map([['s1', 4]]),
    });
    assert.deepEqual(second.changes.map((c) => [c.ecommerceId, c.before, c.after]), [['s2', 0, 3], ['s3', null, 5]]);
    assert.deepEqual(second.written, ['q2', 'q3'], 'q1 unchanged: not written');

    // Unknown now means "keep what we had", never zero.
    const third = await applyCountsPage(sql, { accountId: 'S', runId: run2.id, readStartedAt: t2, counts: [{ posItemId: 'q3', onHand: null }] });
    assert.deepEqual(third.changes, []);
    assert.equal((await getMapping(sql, 's3'))?.onHand, 5);

    const journal = await listJournal(sql, { accountId: 'S' });
    assert.deepEqual(
      journal.map((e) => [e.ecommerceId, e.before, e.after, e.onHandBefore, e.onHandAfter, e.cause, e.runId]),
      [
        ['s3', null, 5, null, 5, 'poll', run2.id],
        ['s2', 0, 3, 3, 3, 'poll', run2.id],
        ['s2', null, 0, null, 3, 'poll', run1.id],
        ['s1', null, 6, null, 10, 'poll', run1.id],
      ],
    );
    assert.deepEqual((await listJournal(sql, { ecommerceId: 's2' })).map((e) => e.after), [3, 0]);
    assert.deepEqual((await listJournal(sql, { runId: run1.id })).map((e) => e.ecommerceId), ['s2', 's1']);
    const latest = await listJournal(sql, { accountId: 'S', limit: 1 });
    assert.equal(latest.length, 1);
    assert.deepEqual((await listJournal(sql, { accountId: 'S', beforeId: latest[0]!.id, limit: 1 })).map((e) => e.ecommerceId), ['s2']);
  });

  test('an older read never overwrites a newer count; an empty page changes nothing', async () => {
    const { sql } = current().core;
    // A poll that read every item and found s1 unchanged writes no row: its run stands for the read.
    const poll = await startRun(sql, { accountId: 'S', trigger: 'cron' });
    const pollStartedAt = new Date();
    const unchanged = await applyCountsPage(sql, { accountId: 'S', runId: poll.id, readStartedAt: pollStartedAt, counts: [{ posItemId: 'q1', onHand: 10 }], reservedByItem: new Map([['s1', 4]]) });
    assert.deepEqual(unchanged.changes, []);
    await finishRun(sql, poll.id, { status: 'ok', confirmedAt: pollStartedAt });
    assert.equal((await getMapping(sql, 's1'))?.lastConfirmedAt?.getTime(), pollStartedAt.getTime(), 'confirmed by the run, not by a row write');
    const late = await applyCountsPage(sql, { accountId: 'S', runId: null, readStartedAt: new Date(pollStartedAt.getTime() - 1000), counts: [{ posItemId: 'q1', onHand: 99 }] });
    assert.deepEqual(late.changes, [], 'a read begun before that poll is older news');
    const old = await applyCountsPage(sql, { accountId: 'S', runId: null, readStartedAt: t0, counts: [{ posItemId: 'q1', onHand: 99 }] });
    assert.deepEqual(old.changes, []);
    assert.equal((await getMapping(sql, 's1'))?.onHand, 10);
    assert.deepEqual(await applyCountsPage(sql, { accountId: 'S', runId: null, readStartedAt: t2, counts: [] }), { changes: [], uncounted: [], unmapped: [], written: [] });
  });

  test('items the POS no longer knows are flagged, keep their quantity, and unflag when seen again', async () => {
    const { sql } = current().core;
    const run = await startRun(sql, { accountId: 'S', trigger: 'cron' });
    const journalBefore = (await listJournal(sql, { accountId: 'S' })).length;
    assert.deepEqual(await flagMissing(sql, 'S', run.id, ['q1', 'q4']), ['s1', 's4']);
    assert.deepEqual(await flagMissing(sql, 'S', run.id, ['q1']), [], 'already flagged');
    const s1 = await getMapping(sql, 's1');
    assert.equal(s1?.missingOnPos, true);
    assert.ok(s1?.missingSince instanceof Date);
    assert.equal(s1?.onHand, 10);
    assert.equal(s1?.available, 6);
    assert.equal((await listJournal(sql, { accountId: 'S' })).length, journalBefore, 'no quantity journaled');

    const seenAgain = await applyCountsPage(sql, { accountId: 'S', runId: run.id, readStartedAt: new Date(), counts: [{ posItemId: 'q1', onHand: 10 }], reservedByItem: new Map([['s1', 4]]) });
    assert.deepEqual(seenAgain.changes, []);
    assert.deepEqual(seenAgain.written, ['q1'], 'a flag to clear is a write, though the quantity is unchanged');
    const back = await getMapping(sql, 's1');
    assert.equal(back?.missingOnPos, false);
    assert.equal(back?.missingSince, null);
    assert.equal((await getMapping(sql, 's4'))?.missingOnPos, true);
  });
});
