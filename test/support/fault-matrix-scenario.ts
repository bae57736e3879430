import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerItem } from '../../src/engine/register.ts';
import { dispatchAccount } from '../../src/engine/sales/dispatcher.ts';
import { SalesService } from '../../src/engine/sales/service.ts';
import type { FaultSpec } from '../../src/simulators/kit/faults.ts';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import { ACCOUNTS, readmeConfig, startSimulators } from './readme-setup.ts';
import type { CORE_BACKENDS } from './databases.ts';
import { openEngineRig, type EngineRig } from './engine.ts';
import { post } from './server-process.ts';

/**
 * Issue 14: the fault matrix. For each POS, each fault the simulators inject, at each step of a
 * sale (each POS call a clean sale makes, found by watching the simulator), one sale is dispatched
 * until it settles. Every cell must end "posted once" (first time or after retries), "failed,
 * visible" (state failed, the error kept, nothing on the POS), or, for a refusal after the POS
 * already holds part of the sale (Hiboutik's close), "incomplete, held": the POS reference kept,
 * the sale on the POS at most once, and an operator's retry posts it once. Never twice, never lost.
 * The client timeout and back-off are shortened so the whole matrix takes a minute or two; the
 * timeout stays long enough that an ordinary local call on a loaded machine does not meet it (the
 * cell that needs a timeout gets one from a POS that does not answer, whatever the load).
 */
const CLIENT_TIMEOUT_MS = 2_000;
const FAULTS: Array<{ name: string; spec: Omit<FaultSpec, 'endpoint'> }> = [
  { name: '5xx', spec: { kind: 'error', status: 503 } },
  { name: '429', spec: { kind: 'rate_limit', retryAfterSeconds: 0 } },
  { name: 'reset', spec: { kind: 'reset' } },
  { name: 'timeout after commit', spec: { kind: 'timeout_after_commit', holdMs: CLIENT_TIMEOUT_MS + 200 } },
  { name: 'malformed answer', spec: { kind: 'malformed' } },
  { name: 'no answer within the client timeout', spec: { kind: 'hang' } },
  { name: '4xx refusal', spec: { kind: 'error', status: 422 } },
];

const POS = [
  { pos: 'square', account: ACCOUNTS.square, posItemId: 'VARIATION000000000000003' },
  { pos: 'lightspeed', account: ACCOUNTS.lightspeed, posItemId: '3' },
  { pos: 'hiboutik', account: ACCOUNTS.hiboutik, posItemId: '3' },
] as const;


type Outcome = 'posted once' | 'posted once, retried' | 'failed, visible' | 'incomplete, held; retried: posted once';

async function sell(rig: EngineRig, ecommerceId: string, key: string): Promise<string> {
  const result = await rig.intake.accept({ ecommerceId, quantity: 1, amountCents: 700, idempotencyKey: key });
  assert.equal(result.outcome, 'accepted');
  return result.outcome === 'accepted' ? result.sale.id : '';
}

/** Dispatches until the sale leaves accepted/dispatching (a deferred retry is run at once: the test plays the queue). */
type Settled = { state: string; attempts: number; last_error: string | null; pos_reference: string | null };
async function settle(rig: EngineRig, account: string, saleId: string): Promise<Settled> {
  for (let round = 0; round < 30; round++) {
    await dispatchAccount({ core: rig.core, jobs: rig.jobs, accounts: rig.accounts }, account);
    const { rows } = await rig.core.sql.query<Settled>('select state, attempts, last_error, pos_reference from sales where id = $1', [saleId]);
    if (rows[0] && rows[0].state !== 'accepted' && rows[0].state !== 'dispatching') return rows[0];
  }
  throw new Error(`sale ${saleId} did not settle`);
}

const postsOf = (sim: Simulator, saleId: string) => sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: saleId }).length;

/** One file per backend (fault-matrix-{embedded,postgres}.test.ts), so the two run side by side. */
export function faultMatrix(name: string, backend: (typeof CORE_BACKENDS)[string]): void {
  test(`fault matrix: every fault at every step of every POS's sale ends posted once or failed and visible (${name})`, { timeout: 600_000 }, async (t) => {
    const sims = await startSimulators({ lightspeed: { bucketSize: '100000', dripRate: '10000' } });
    t.after(() => sims.close());
    const setup = await backend();
    t.after(() => setup.cleanup());
    const rig = await openEngineRig(await readmeConfig(sims, setup.env), { timeoutMs: CLIENT_TIMEOUT_MS, policy: { baseDelayMs: 5, maxDelayMs: 50 } });
    t.after(() => rig.close());
    const service = new SalesService(rig.core, rig.jobs, rig.intake, () => {});

    const table: string[] = [];
    let n = 0;
    for (const { pos, account, posItemId } of POS) {
      const sim = sims[pos];
      await post(`${sim.url}/__sim/stock`, { item: posItemId, quantity: 1000 });
      const ecommerceId = `${pos}-matrix`;
      await registerItem(rig.context, rig.accounts, { accountId: account, ecommerceId, itemPosId: posItemId });

      // The steps of a clean sale: every endpoint it calls.
      const before = sim.kit.stats.snapshot().endpoints;
      const clean = await sell(rig, ecommerceId, `${pos}-clean`);
      assert.equal((await settle(rig, account, clean)).state, 'posted');
      const after = sim.kit.stats.snapshot().endpoints;
      const steps = Object.keys(after).filter((e) => after[e]!.requests > (before[e]?.requests ?? 0) && !e.includes('oauth'));
      assert.ok(steps.length > 0, `${pos}: the sale's calls were seen`);

      for (const step of steps) {
        for (const fault of FAULTS) {
          sim.kit.faults.clear();
          sim.kit.faults.add({ ...fault.spec, endpoint: step, count: 1 });
          const saleId = await sell(rig, ecommerceId, `${pos}-${n++}`);
          const callsBefore = sim.kit.stats.requestsTo(step);
          const settled = await settle(rig, account, saleId);
          const calls = sim.kit.stats.requestsTo(step) - callsBefore;
          sim.kit.faults.clear();
          const posts = postsOf(sim, saleId);
          const where = `${pos} | ${step} | ${fault.name}`;
          assert.ok(posts <= 1, `${where}: posted ${posts} times`);
          let outcome: Outcome;
          if (settled.state === 'posted') {
            assert.equal(posts, 1, `${where}: marked posted but on the POS ${posts} times`);
            outcome = settled.attempts > 1 || calls > 1 ? 'posted once, retried' : 'posted once';
          } else if (settled.state === 'incomplete') {
            assert.ok(settled.last_error && settled.pos_reference, `${where}: incomplete without its error and POS reference`);
            await service.retry(saleId, 'fault matrix');
            const retried = await settle(rig, account, saleId);
            assert.equal(retried.state, 'posted', `${where}: the retry of an incomplete sale ended ${retried.state}`);
            assert.equal(retried.pos_reference, settled.pos_reference, `${where}: the retry finished the sale the POS held`);
            assert.equal(postsOf(sim, saleId), 1, `${where}: posted ${postsOf(sim, saleId)} times after the retry`);
            outcome = 'incomplete, held; retried: posted once';
          } else {
            assert.equal(settled.state, 'failed', `${where}: ended ${settled.state}`);
            assert.ok(settled.last_error, `${where}: failed without a visible error`);
            assert.equal(posts, 0, `${where}: failed but on the POS`);
            outcome = 'failed, visible';
          }
          table.push(`${where} | ${outcome} (${settled.attempts} dispatch attempt(s), ${calls} call(s) to the step)`);
        }
      }
    }
    console.log(`fault matrix (${name}):\npos | step | fault | outcome\n${table.join('\n')}`);
    assert.ok(table.length >= POS.length * FAULTS.length);
  });
}
