import type { HiboutikConnection } from '../accounts.ts';
import type { MonthlyCallBudget } from '../call-budget.ts';
import type { PosAdapter } from '../contract.ts';
import type { AdapterDeps } from '../deps.ts';
import { HiboutikCatalog } from './catalog.ts';
import { HiboutikClient } from './client.ts';
import { HiboutikSales } from './sale.ts';
import { HiboutikStock } from './stock.ts';

export { formatItemId, parseItemId } from './ids.ts';
export { unitPrice, type SaleStep } from './sale.ts';


export type HiboutikAdapter = PosAdapter & {
  /** This month's calls against `maximumRequests` (and the part kept for sales). */
  budget(): ReturnType<MonthlyCallBudget['usage']>;
};

export function createHiboutikAdapter(connection: HiboutikConnection, deps: AdapterDeps): HiboutikAdapter {
  const client = new HiboutikClient(connection, deps);
  const catalog = new HiboutikCatalog(client);
  const stock = new HiboutikStock(client, catalog, connection.warehouseId, deps.now ?? Date.now);
  const sales = new HiboutikSales(client, { storeId: connection.storeId, customerId: connection.customerId });
  return {
    readCounts: (posItemIds, options) => stock.readCounts(posItemIds, options),
    getItems: (posItemIds) => catalog.getItems(posItemIds),
    searchItems: (text) => catalog.searchItems(text),
    recordSale: (sale) => sales.record(sale),
    apiCalls: () => client.calls(),
    budget: () => client.budget.usage(),
    quota: () => client.quotaState(),
    limits: () => {
      const usage = client.budget.usage();
      return { quotaLeft: Math.max(0, usage.limit - usage.used) };
    },
  };
}
