import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerItem } from '../../src/engine/register.ts';
import { dispatchAccount } from '../../src/engine/sales/dispatcher.ts';
import { ACCOUNTS, embeddedSetup, readmeConfig, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { CORE_BACKENDS } from '../support/databases.ts';
import { openEngineRig } from '../support/engine.ts';

/**
 * Issue 14, hole 1: pg-boss retries a dispatch job that outlives its expiry while the first
 * handler still runs. Two dispatchers for one account, started at once against a slow POS, must
 * still post each sale exactly once: the second stands aside while the first holds the lease.
 */
for (const [name, backend] of Object.entries(CORE_BACKENDS)) {
  test(`two dispatchers for one account post each sale once (${name})`, { timeout: 300_000 }, async (t) => {
    const sims = await startSimulators();
    t.after(() => sims.close());
    const setup = await backend();
    t.after(() => setup.cleanup());
    const rig = await openEngineRig(await readmeConfig(sims, setup.env));
    t.after(() => rig.close());

    await registerItem(rig.context, rig.accounts, { accountId: ACCOUNTS.hiboutik, ecommerceId: '301', itemPosId: '1' });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await rig.intake.accept({ ecommerceId: '301', quantity: 1, amountCents: 500, idempotencyKey: `lease-${i}` });
      assert.equal(result.outcome, 'accepted');
      if (result.outcome === 'accepted') ids.push(result.sale.id);
    }
    // Every write to Hiboutik is slow, so the two dispatchers overlap for the whole drain.
    sims.hiboutik.kit.faults.add({ endpoint: 'POST *', kind: 'latency', latencyMs: 400 });
    sims.hiboutik.kit.faults.add({ endpoint: 'PUT *', kind: 'latency', latencyMs: 400 });

    const deps = { core: rig.core, jobs: rig.jobs, accounts: rig.accounts };
    const [first, second] = await Promise.all([dispatchAccount(deps, ACCOUNTS.hiboutik), dispatchAccount(deps, ACCOUNTS.hiboutik)]);
    assert.equal(first.posted + second.posted, 4, `posted: ${JSON.stringify([first, second])}`);
    assert.ok(first.busy || second.busy, 'one dispatcher stood aside');

    const posted = sims.hiboutik.kit.ledger.list({ source: 'api', kind: 'sale' });
    const perSale = new Map<string, number>();
    for (const entry of posted) perSale.set(entry.reference ?? `?${entry.posId}`, (perSale.get(entry.reference ?? `?${entry.posId}`) ?? 0) + 1);
    assert.deepEqual([...perSale.keys()].sort(), [...ids].sort(), 'each sale reached the POS');
    assert.deepEqual([...perSale].filter(([, n]) => n > 1), [], 'no sale was posted twice');
    const { rows } = await rig.core.sql.query<{ state: string }>('select state from sales');
    assert.deepEqual(rows.map((r) => r.state), ['posted', 'posted', 'posted', 'posted']);
  });
}

test('a dispatcher whose lease was taken over writes nothing more (embedded PGlite)', { timeout: 300_000 }, async (t) => {
  const { sims, env } = await embeddedSetup(t);
  const rig = await openEngineRig(await readmeConfig(sims, env));
  t.after(() => rig.close());
  await registerItem(rig.context, rig.accounts, { accountId: ACCOUNTS.hiboutik, ecommerceId: '301', itemPosId: '1' });
  await rig.intake.accept({ ecommerceId: '301', quantity: 1, amountCents: 500, idempotencyKey: 'fenced' });

  // The first POS write is held long enough for the lease (renewals stopped: a hung process) to be taken over.
  sims.hiboutik.kit.faults.add({ endpoint: 'POST *', kind: 'latency', latencyMs: 1_500, count: 1 });
  const deps = { core: rig.core, jobs: rig.jobs, accounts: rig.accounts, leaseMs: 60_000 };
  const creates = () => sims.hiboutik.kit.stats.requestsTo('POST /api/sales/');
  const before0 = creates();
  const stalled = dispatchAccount(deps, ACCOUNTS.hiboutik);
  await waitUntil('the first dispatcher to be inside its POS call', async () => creates() > before0);
  // Expire the lease as a dead holder's would, then a second dispatcher takes it over.
  await rig.core.sql.query(`update dispatch_leases set expires_at = now() - interval '1 second'`);
  const { rows: before } = await rig.core.sql.query<{ token: string }>('select token::text from dispatch_leases');
  const takeover = await dispatchAccount(deps, ACCOUNTS.hiboutik);
  const fenced = await stalled;
  assert.equal(fenced.leaseLost, true, `the first dispatcher noticed: ${JSON.stringify(fenced)}`);
  assert.equal(takeover.posted, 1);
  const { rows: after } = await rig.core.sql.query<{ token: string }>('select token::text from dispatch_leases');
  assert.equal(Number(after[0]!.token), Number(before[0]!.token) + 1, 'the take-over got the next fencing token');
  const { rows } = await rig.core.sql.query<{ state: string; reason: string }>('select s.state, t.reason from sales s join sale_transitions t on t.sale_id = s.id order by t.id');
  assert.equal(rows.at(-1)!.state, 'posted');
});
