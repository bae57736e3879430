import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSuite } from '../../../test/support/pos-conformance.ts';
import { ENDPOINTS, startRig, type Rig } from '../../../test/support/square-adapter.ts';

/**
 * The shared suite against the Square simulator with spec validation on: two locations (counts are
 * summed over both, sales go to the first), 2,500 variations = 5,000 count rows = 5 pages of 1000.
 */
let started: Rig | undefined;

conformanceSuite({
  name: 'square',
  pagedItemCount: 2500,
  async start(itemCount) {
    const rig = await startRig({ items: itemCount, locations: 2 });
    started = rig;
    return {
      adapter: rig.adapter,
      sim: rig.sim,
      items: rig.sim.state.catalog.records.map((r) => ({ posItemId: r.variationId, name: r.name, ...(r.sku ? { sku: r.sku } : {}) })),
      onHand: rig.onHand,
      countsEndpoint: ENDPOINTS.counts,
      saleEndpoint: ENDPOINTS.changes,
      salesRecorded: rig.salesRecorded,
      // The spec check runs before the simulator goes away (see the test below).
      close: async () => {},
    };
  },
});

test('square conformance: every answer matched the official OpenAPI file', async () => {
  assert.ok(started, 'the suite started a simulator');
  assert.deepEqual(started.sim.specViolations(), []);
});

after(async () => {
  await started?.close();
});

test('a failed Square call leaves no timer holding the process (the SDK arms one per request and clears it only on success)', async (t) => {
  const { createServer } = await import('node:http');
  const { createSdkApi } = await import('./api.ts');
  const server = createServer((request) => request.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const api = createSdkApi({ baseUrl: `http://127.0.0.1:${port}`, accessToken: 'EAAAtoken', timeoutMs: 30_000 });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  await api.searchItems('warm-up: loads the SDK').catch(() => undefined);
  const before = timers();
  await assert.rejects(api.searchItems('mug'), /connection/);
  await assert.rejects(api.batchGetCounts({ locationIds: ['L1'] }), /connection/);
  assert.equal(timers(), before, 'no timer left armed by the two failed calls');
});
