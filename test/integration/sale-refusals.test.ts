import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerItem } from '../../src/engine/register.ts';
import { dispatchAccount } from '../../src/engine/sales/dispatcher.ts';
import { SalesService } from '../../src/engine/sales/service.ts';
import { EngineInputError } from '../../src/engine/ports.ts';
import { reservedSince } from '../../src/core/sales/ledger.ts';
import { getMapping } from '../../src/core/mappings.ts';
import { ACCOUNTS, readmeConfig, startSimulators } from '../support/readme-setup.ts';
import { CORE_BACKENDS } from '../support/databases.ts';
import { openEngineRig, type EngineRig } from '../support/engine.ts';

/**
 * A refusal after the POS already holds part of a sale (Hiboutik: the line is added, the close is
 * refused; Lightspeed: an open sale carries our reference). The sale must end `incomplete`, which
 * says so: never `failed` (whose cancel would release the units as if nothing had been posted),
 * never re-dispatched by itself, and an operator's retry finishes the POS's sale without adding
 * the line twice. Run against the real simulators on both cores.
 */
const HIBOUTIK_CLOSE = 'POST /api/sales/close/';
const LIGHTSPEED_SALE = 'POST /API/V3/Account/:accountID/Sale.json';

type J = any;

async function setUp(t: { after(fn: () => unknown): void }, backend: () => ReturnType<(typeof CORE_BACKENDS)[string]>) {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const setup = await backend();
  t.after(() => setup.cleanup());
  const rig = await openEngineRig(await readmeConfig(sims, setup.env), { timeoutMs: 2_000, policy: { baseDelayMs: 5, maxDelayMs: 50 } });
  t.after(() => rig.close());
  const released: string[] = [];
  const service = new SalesService(rig.core, rig.jobs, rig.intake, (accountId) => released.push(accountId));
  return { sims, rig, service, released };
}

async function sell(rig: EngineRig, ecommerceId: string, quantity: number, key: string): Promise<string> {
  const result = await rig.intake.accept({ ecommerceId, quantity, amountCents: 700 * quantity, idempotencyKey: key });
  assert.equal(result.outcome, 'accepted');
  return result.outcome === 'accepted' ? result.sale.id : '';
}

const dispatch = (rig: EngineRig, accountId: string) => dispatchAccount({ core: rig.core, jobs: rig.jobs, accounts: rig.accounts }, accountId);
const conflict = (e: unknown) => e instanceof EngineInputError && e.status === 409;

for (const [name, backend] of Object.entries(CORE_BACKENDS)) {
  test(`Hiboutik refuses the close after the line was added: the sale is incomplete, keeps its units, is not re-posted, and a retry closes it without a second line (${name})`, async (t) => {
    const { sims, rig, service } = await setUp(t, backend);
    const sim = sims.hiboutik;
    const account = ACCOUNTS.hiboutik;
    await registerItem(rig.context, rig.accounts, { accountId: account, ecommerceId: 'hb', itemPosId: '3' });
    const onHand = (await getMapping(rig.core.sql, 'hb'))!.onHand!;

    const saleId = await sell(rig, 'hb', 2, 'close-refused');
    sim.kit.faults.add({ endpoint: HIBOUTIK_CLOSE, kind: 'error', status: 422, count: 1 });
    const summary = await dispatch(rig, account);
    assert.equal(summary.posted, 0);
    assert.equal(summary.failed, 0, 'not failed: the POS holds the line');
    assert.equal(summary.incomplete, 1);

    const held = (await service.get(saleId))!;
    assert.equal(held.state, 'incomplete');
    assert.ok(held.lastError?.includes('Injected server error'), `the refusal is kept: ${held.lastError}`);
    const posSales = (await (await fetch(`${sim.url}/api/sales/search/ext_ref/${saleId}`, { headers: authHeader(sims.hiboutik) })).json()) as J[];
    assert.equal(posSales.length, 1, 'one Hiboutik sale carries the ext_ref');
    assert.equal(held.posReference, String(posSales[0].sale_id), 'the sale names the POS sale that holds it');
    assert.equal(posSales[0].line_items.length, 1);
    assert.match(held.history.at(-1)!.reason, /holds it as sale \d+/);
    assert.equal((await reservedSince(rig.core.sql, account, new Date(0))).get('hb'), 2, 'the units stay reserved');

    // Not pending: a dispatcher leaves it alone (no blind retry).
    assert.deepEqual(await dispatch(rig, account), { posted: 0, failed: 0 });
    assert.equal((await service.get(saleId))!.state, 'incomplete');

    // A plain cancel would release units the POS may already have taken: refused, naming the POS sale.
    await assert.rejects(service.cancel(saleId, 'customer changed their mind'), (e: unknown) => conflict(e) && (e as Error).message.includes(held.posReference!));
    assert.equal((await service.get(saleId))!.state, 'incomplete');

    // The operator retries: the dispatcher resumes at the close and adds nothing.
    const retried = await service.retry(saleId, 'close refused, fixed in the back office');
    assert.equal(retried.state, 'dispatching');
    assert.equal((await dispatch(rig, account)).posted, 1);
    const posted = (await service.get(saleId))!;
    assert.equal(posted.state, 'posted');
    assert.equal(posted.posReference, held.posReference);
    const after = (await (await fetch(`${sim.url}/api/sales/search/ext_ref/${saleId}`, { headers: authHeader(sims.hiboutik) })).json()) as J[];
    assert.equal(after.length, 1, 'still one Hiboutik sale');
    assert.equal(after[0].line_items.length, 1, 'the line was not added again');
    assert.ok(after[0].completed_at && !String(after[0].completed_at).startsWith('0000'), 'closed');
    assert.equal(sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: saleId }).length, 1, 'stock moved once on the POS');
    const stock = await (await fetch(`${sim.url}/__sim/stock?item=3`)).json() as { stock: Array<{ locations: Record<string, number> }> };
    assert.equal(stock.stock[0]!.locations['1'], onHand - 2);
  });

  test(`an incomplete sale is cancelled only once the operator says the POS no longer holds it; then its units are released (${name})`, async (t) => {
    const { sims, rig, service, released } = await setUp(t, backend);
    const account = ACCOUNTS.hiboutik;
    await registerItem(rig.context, rig.accounts, { accountId: account, ecommerceId: 'hb', itemPosId: '4' });
    const before = (await getMapping(rig.core.sql, 'hb'))!.available!;
    const saleId = await sell(rig, 'hb', 1, 'cancel-incomplete');
    sims.hiboutik.kit.faults.add({ endpoint: HIBOUTIK_CLOSE, kind: 'error', status: 400, count: 1 });
    await dispatch(rig, account);
    assert.equal((await service.get(saleId))!.state, 'incomplete');
    assert.equal((await getMapping(rig.core.sql, 'hb'))!.available, before - 1);

    await assert.rejects(service.cancel(saleId), conflict);
    const cancelled = await service.cancel(saleId, 'sale deleted in Hiboutik', { removedFromPos: true });
    assert.equal(cancelled.state, 'cancelled');
    assert.match(cancelled.history.at(-1)!.reason, /removed from the POS/);
    assert.equal((await getMapping(rig.core.sql, 'hb'))!.available, before, 'units released');
    assert.deepEqual(released, [account]);
    await assert.rejects(service.retry(saleId), conflict);
  });

  test(`Lightspeed holds an open sale with our reference: the sale is incomplete, not failed; once completed in Lightspeed a retry marks it posted without posting (${name})`, async (t) => {
    const { sims, rig, service } = await setUp(t, backend);
    const sim = sims.lightspeed;
    const account = ACCOUNTS.lightspeed;
    await registerItem(rig.context, rig.accounts, { accountId: account, ecommerceId: 'ls', itemPosId: '3' });
    const saleId = await sell(rig, 'ls', 1, 'open-on-lightspeed');

    // Someone made an open sale under our reference by hand; our POST loses its connection, so the
    // poster looks the reference up before posting again and finds that open sale.
    const creds = sim.credentials() as { accountID: string; accessToken: string; employeeID: string; registerID: string };
    const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${sim.url}/API/V3/Account/${creds.accountID}/${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${(sim.credentials() as { accessToken: string }).accessToken}`, 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const open = await api('Sale.json', { method: 'POST', body: { employeeID: creds.employeeID, registerID: creds.registerID, shopID: 1, completed: false, referenceNumber: saleId, SaleLines: { SaleLine: { itemID: 3, unitQuantity: 1, unitPrice: '7.00' } } } });
    assert.equal(open.status, 200);
    const openId: string = ((await open.json()) as J).Sale.saleID;
    sim.kit.faults.add({ endpoint: LIGHTSPEED_SALE, kind: 'reset', count: 1 });

    const summary = await dispatch(rig, account);
    assert.equal(summary.incomplete, 1);
    const held = (await service.get(saleId))!;
    assert.equal(held.state, 'incomplete');
    assert.equal(held.posReference, openId);
    assert.equal((await reservedSince(rig.core.sql, account, new Date(0))).get('ls'), 1);

    // Completed in Lightspeed by the operator (with its payment), then retried here.
    const completed = await api(`Sale/${openId}.json`, { method: 'PUT', body: { completed: true, SalePayments: { SalePayment: { amount: '7.00', paymentTypeID: 3 } } } });
    assert.equal(completed.status, 200, await completed.clone().text());
    await service.retry(saleId);
    assert.equal((await dispatch(rig, account)).posted, 1);
    const posted = (await service.get(saleId))!;
    assert.equal(posted.state, 'posted');
    assert.equal(posted.posReference, openId);
    assert.match(posted.history.at(-1)!.reason, /found on the POS/);
    const all = ((await (await api(`Sale.json?referenceNumber=${saleId}`)).json()) as J).Sale;
    assert.equal([all].flat().length, 1, 'no second sale was posted');
  });
}

function authHeader(sim: { credentials(): unknown }): Record<string, string> {
  const { email, apiKey } = sim.credentials() as { email: string; apiKey: string };
  return { authorization: `Basic ${Buffer.from(`${email}:${apiKey}`).toString('base64')}` };
}
