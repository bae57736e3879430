import { conformanceSuite } from '../../../test/support/pos-conformance.ts';
import { ENDPOINTS, startRig } from '../../../test/support/lightspeed-adapter.ts';

conformanceSuite({
  name: 'lightspeed',
  pagedItemCount: 250,
  async start(itemCount) {
    // A manual clock: a refresh limit per minute never slides, so leave room for a few refreshes.
    const rig = await startRig({ items: itemCount, switches: { refreshLimitPerMinute: '10' } });
    return {
      adapter: rig.adapter,
      sim: rig.sim,
      items: rig.seed.items.map((item) => ({ posItemId: item.id, name: item.name, sku: item.sku })),
      onHand: (posItemId) => rig.sim.store.qoh(posItemId, rig.connection.shopId),
      countsEndpoint: ENDPOINTS.itemShops,
      saleEndpoint: ENDPOINTS.postSale,
      salesRecorded: (saleId) => rig.salesRecorded(saleId),
      close: () => rig.close(),
    };
  },
});
