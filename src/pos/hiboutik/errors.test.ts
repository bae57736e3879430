import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { PosAuthError, PosError, PosNotFoundError, PosRejectedError, PosUnavailableError } from '../errors.ts';
import { startRig, type Rig } from '../../../test/support/hiboutik-adapter.ts';
import { MemoryTokenStore } from '../token-store.ts';

const drain = async (iterable: AsyncIterable<unknown>) => {
  for await (const _ of iterable);
};

/** The error, with its whole cause chain, names no credential. */
function assertNoSecrets(rig: Rig, error: unknown): void {
  const { email, apiKey } = rig.sim.credentials();
  const basic = Buffer.from(`${email}:${apiKey}`).toString('base64');
  const text = inspect(error, { depth: 6 });
  for (const secret of [email, apiKey, basic]) assert.ok(!text.includes(secret), 'error text holds a credential or the Authorization header');
}

describe('errors', () => {
  test('401 and 403 are auth errors that say what to check, without the credentials', async (t) => {
    const rig = await startRig({ items: 3, switches: { rights: 'read' } });
    t.after(() => rig.close());
    const wrong = rig.restart({ apiKey: 'HBK-wrong-key-123456' });
    const refused = await drain(wrong.readCounts()).catch((e: unknown) => e);
    assert.ok(refused instanceof PosAuthError && refused.status === 401);
    assert.match(refused.message, /check the API e-mail and key/);
    assert.ok(!inspect(refused).includes('HBK-wrong-key-123456'));
    assertNoSecrets(rig, refused);

    const readOnly = await rig.adapter.recordSale({ saleId: 's1', posItemId: '1', quantity: 1, amountCents: 100, mayExist: false }).catch((e: unknown) => e);
    assert.ok(readOnly instanceof PosAuthError && readOnly.status === 403);
    assert.match(readOnly.message, /POST \/sales\/.*rights/);
    assertNoSecrets(rig, readOnly);
  });

  test('404 → not found, 422 → rejected with Hiboutik’s description, 5xx → unavailable', async (t) => {
    const rig = await startRig({ items: 3 });
    t.after(() => rig.close());
    assert.deepEqual(await rig.adapter.getItems(['999']), []);
    const bad = await drain(rig.restart({ warehouseId: '77' }).readCounts()).catch((e: unknown) => e);
    assert.ok(bad instanceof PosNotFoundError);
    assert.match(bad.message, /Warehouse not found \(warehouse_id: Unknown warehouse 77\)/);
    const rejected = await rig.restart({ storeId: '9' }).recordSale({ saleId: 's2', posItemId: '1', quantity: 1, amountCents: 100, mayExist: false }).catch((e: unknown) => e);
    assert.ok(rejected instanceof PosRejectedError && rejected.status === 422);
    assert.match(rejected.message, /Unknown store 9/);
    rig.sim.kit.faults.add({ endpoint: 'GET *', kind: 'error', status: 500 });
    const down = await drain(rig.adapter.readCounts()).catch((e: unknown) => e);
    assert.ok(down instanceof PosUnavailableError && down.retry.retry);
    for (const error of [bad, rejected, down]) assertNoSecrets(rig, error);
  });

  test('credentials echoed by a server or lost in a network failure never reach a message', async (t) => {
    const rig = await startRig({ items: 3 });
    t.after(() => rig.close());
    const { email, apiKey } = rig.sim.credentials();
    const echo: typeof fetch = async () =>
      new Response(JSON.stringify({ error: 'unprocessable_entity', code: 422, error_description: `user ${email} with key ${apiKey} may not`, details: {} }), { status: 422 });
    const echoed = await drain(rig.restart().readCounts()).catch(() => null);
    assert.equal(echoed, undefined);
    const noisy = (await import('./index.ts')).createHiboutikAdapter(rig.connection, { tokenStore: new MemoryTokenStore(), fetch: echo, sleep: async () => undefined });
    const error = await drain(noisy.readCounts()).catch((e: unknown) => e);
    assert.ok(error instanceof PosRejectedError);
    assert.match(error.message, /user \[redacted\] with key \[redacted\] may not/);
    assertNoSecrets(rig, error);

    const gone = rig.restart({ baseUrl: 'http://127.0.0.1:1/api' });
    const unreachable = await drain(gone.readCounts()).catch((e: unknown) => e);
    assert.ok(unreachable instanceof PosError && unreachable.kind === 'unavailable');
    assertNoSecrets(rig, unreachable);
  });
});
