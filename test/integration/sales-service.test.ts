import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PgBoss } from 'pg-boss';
import { BACKENDS, openTestCore, type TestCore } from '../support/core.ts';
import { registerMapping, getMapping } from '../../src/core/mappings.ts';
import { reservedSince } from '../../src/core/sales/ledger.ts';
import { canMove, SALE_STATES, SALE_TRANSITIONS, type SaleState } from '../../src/core/sales/states.ts';
import { DEFAULT_SINK_TABLE } from '../../src/config/types.ts';
import { AccountSet } from '../../src/engine/accounts.ts';
import { EngineInputError, type SaleRequest } from '../../src/engine/ports.ts';
import { dispatchAccount } from '../../src/engine/sales/dispatcher.ts';
import { SaleIntake } from '../../src/engine/sales/intake.ts';
import { SalesService } from '../../src/engine/sales/service.ts';
import { pollAccount, type SyncContext } from '../../src/engine/sync.ts';
import { startBoss } from '../../src/jobs/boss.ts';
import { createJobsPort } from '../../src/jobs/port.ts';
import type { JobsPort } from '../../src/engine/jobs-port.ts';
import { DISPATCH_QUEUE } from '../../src/jobs/queues.ts';
import { createAdapter } from '../../src/pos/registry.ts';
import { MemoryTokenStore } from '../../src/pos/token-store.ts';
import { openSink } from '../../src/sink/open.ts';
import { startSquareSimulator, type SquareSimulator } from '../../src/simulators/square/index.ts';

/**
 * The real sale service, driven directly (no HTTP, no job workers): SalesService.retry / cancel,
 * the reservation release, the transition table and dispatchAccount, on PGlite and PostgreSQL,
 * against the Square simulator. The dispatcher is called by the test, standing in for the worker.
 */
const ACCOUNT = 'sq';
const CHANGES = 'POST /v2/inventory/changes/batch-create';

test('the transition table: every move the service makes is allowed, and nothing leaves posted or cancelled', () => {
  assert.deepEqual(Object.keys(SALE_TRANSITIONS).sort(), [...SALE_STATES].sort(), 'one row per state');
  const allowed = SALE_STATES.flatMap((from) => SALE_STATES.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
  assert.deepEqual(allowed.sort(), [
    'accepted→cancelled', 'accepted→dispatching', 'dispatching→dispatching', 'dispatching→failed', 'dispatching→incomplete', 'dispatching→posted',
    'failed→cancelled', 'failed→dispatching', 'incomplete→cancelled', 'incomplete→dispatching',
  ]);
});

for (const backend of BACKENDS) describe(`the sale service [${backend}]`, () => {
  let opened: TestCore;
  let sim: SquareSimulator;
  let boss: PgBoss;
  let jobs: JobsPort;
  let service: SalesService;
  let accounts: AccountSet;
  let context: SyncContext;
  let released: string[];
  const variation = (i: number) => `VARIATION${String(i).padStart(15, '0')}`;

  before(async () => {
    sim = await startSquareSimulator({
      seed: {
        locations: [{ id: 'LMAIN', name: 'Main' }],
        items: [1, 2, 3].map((i) => ({ id: variation(i), name: `Item ${i}`, sku: `S${i}`, priceCents: 500, stock: { LMAIN: 10 } })),
        credentials: { accessToken: 'service-test-token' },
      },
    });
    const account = { id: ACCOUNT, name: 'Square', connection: { pos: 'square' as const, baseUrl: sim.url, accessToken: 'service-test-token', locationIds: ['LMAIN'] } };
    opened = await openTestCore(backend, { accounts: [account] });
    const { core } = opened;
    const sink = await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core: core.sql });
    boss = await startBoss(core, () => undefined);
    accounts = new AccountSet([{ config: account, adapter: createAdapter(account.connection, { tokenStore: new MemoryTokenStore(), timeoutMs: 5_000 }) }]);
    context = { core, sink, reserved: reservedSince };
    released = [];
    jobs = createJobsPort(core, boss);
    service = new SalesService(core, jobs, new SaleIntake(core, jobs, () => undefined), (id) => released.push(id));
    for (const i of [1, 2, 3]) await registerMapping(core.sql, { ecommerceId: `e${i}`, accountId: ACCOUNT, posItemId: variation(i) });
    const run = await pollAccount(context, accounts.get(ACCOUNT)!, 'manual');
    assert.equal(run?.status, 'ok');
  });
  after(async () => {
    await boss?.stop({ graceful: false });
    await opened?.dispose();
    await sim?.close();
  });

  const accept = async (request: SaleRequest) => {
    const result = await service.accept(request);
    assert.equal(result.outcome, 'accepted');
    return { saleId: result.outcome === 'accepted' ? result.sale.id : '' };
  };
  const available = async (ecommerceId: string) => (await getMapping(opened.core.sql, ecommerceId))?.available;
  const dispatch = () => dispatchAccount({ core: opened.core, jobs, accounts }, ACCOUNT);
  const stateOf = async (id: string): Promise<SaleState> => (await service.get(id))!.state;

  test(`cancel releases the reservation and journals it; a cancelled sale cannot move again [${backend}]`, async () => {
    const sale = await accept({ ecommerceId: 'e1', quantity: 3, amountCents: 1500 });
    assert.equal(await available('e1'), 7);
    const cancelled = await service.cancel(sale.saleId, 'customer changed their mind');
    assert.equal(cancelled.state, 'cancelled');
    assert.deepEqual(cancelled.history.map((h) => [h.from, h.to]), [[null, 'accepted'], ['accepted', 'cancelled']]);
    assert.equal(cancelled.history[1]!.reason, 'cancelled: customer changed their mind');
    assert.equal(await available('e1'), 10, 'releaseReservation recomputed the item from its count');
    assert.deepEqual(released, [ACCOUNT], 'the shop table refresh was asked for');
    const journal = await opened.core.sql.query<{ before: number; after: number; cause: string }>('select before, after, cause from stock_journal where sale_id = $1', [sale.saleId]);
    assert.deepEqual(journal.rows.map((r) => [Number(r.before), Number(r.after), r.cause]), [[10, 7, 'sale'], [7, 10, 'manual']]);
    await assert.rejects(service.cancel(sale.saleId), (e: unknown) => e instanceof EngineInputError && e.status === 409);
    await assert.rejects(service.retry(sale.saleId), (e: unknown) => e instanceof EngineInputError && e.status === 409);
    await assert.rejects(service.cancel('no-such-sale'), (e: unknown) => e instanceof EngineInputError && e.status === 404);
    assert.equal((await dispatch()).posted, 0, 'a cancelled sale is never posted');
  });

  test(`dispatchAccount posts oldest first, exactly once; a refused sale is failed and keeps its units until retried [${backend}]`, async () => {
    const first = await accept({ ecommerceId: 'e2', quantity: 1, amountCents: 500 });
    const second = await accept({ ecommerceId: 'e3', quantity: 2, amountCents: 1000 });
    // Square refuses the first post outright (a 400 will not get better on retry).
    sim.kit.faults.add({ endpoint: CHANGES, kind: 'error', status: 400, count: 1 });
    const summary = await dispatch();
    assert.deepEqual(summary, { posted: 1, failed: 1 });
    assert.equal(await stateOf(first.saleId), 'failed');
    assert.equal(await stateOf(second.saleId), 'posted');
    assert.equal(await available('e2'), 9, 'a failed sale keeps its unit reserved');
    assert.deepEqual(sim.kit.ledger.list({ source: 'api', kind: 'sale' }).map((e) => e.reference), [second.saleId], 'only the second reached Square');

    const retried = await service.retry(first.saleId);
    assert.equal(retried.state, 'dispatching');
    assert.equal(retried.history.at(-1)!.reason, 'retry asked by an operator');
    await assert.rejects(service.retry(first.saleId), (e: unknown) => e instanceof EngineInputError && e.status === 409, 'only a failed or incomplete sale can be retried');
    await assert.rejects(service.cancel(first.saleId), (e: unknown) => e instanceof EngineInputError && e.status === 409, 'a dispatching sale cannot be cancelled');
    const queued = await boss.fetch(DISPATCH_QUEUE);
    assert.equal(queued?.[0]?.data && (queued[0].data as { accountId: string }).accountId, ACCOUNT, 'the retry queued a dispatch for the account');

    assert.deepEqual(await dispatch(), { posted: 1, failed: 0 });
    assert.equal(await stateOf(first.saleId), 'posted');
    assert.deepEqual((await service.list({ state: 'posted' })).map((s) => s.id).sort(), [first.saleId, second.saleId].sort());
    assert.equal(sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: first.saleId }).length, 1, 'posted once');
    assert.deepEqual(await dispatch(), { posted: 0, failed: 0 }, 'nothing left');
    await assert.rejects(service.cancel(first.saleId), (e: unknown) => e instanceof EngineInputError && e.status === 409, 'a posted sale cannot be cancelled');
  });

});
