import { conformanceSuite } from '../../../test/support/pos-conformance.ts';
import { ENDPOINTS, startRig } from '../../../test/support/hiboutik-adapter.ts';

/**
 * The shared suite against the Hiboutik simulator. Whether Hiboutik pages the warehouse stock
 * route is UNCONFIRMED; by default one call answers the whole warehouse and the adapter yields it as
 * one page. The suite wants a counts read over several pages, so it runs with `stockPaging=250`,
 * which makes the adapter follow real `Link: rel="next"` headers (the default mode is covered in
 * stock.test.ts). Faults hit add_product: the step that moves stock.
 */
conformanceSuite({
  name: 'hiboutik',
  pagedItemCount: 600,
  async start(itemCount) {
    const rig = await startRig({ items: itemCount, switches: { stockPaging: '250' } });
    const items = [...rig.sim.store.products.values()].map((p) => ({ posItemId: String(p.id), name: p.model, sku: p.barcode }));
    return {
      adapter: rig.adapter,
      sim: rig.sim,
      items,
      onHand: rig.onHand,
      countsEndpoint: ENDPOINTS.stock,
      saleEndpoint: ENDPOINTS.add,
      salesRecorded: rig.salesRecorded,
      close: rig.close,
    };
  },
});
