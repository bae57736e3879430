import type { HiboutikConnection } from '../accounts.ts';
import type { MonthlyCallBudget } from '../call-budget.ts';
import type { PosAdapter, PosCapabilities } from '../contract.ts';
import type { AdapterDeps } from '../deps.ts';
import { HiboutikCatalog } from './catalog.ts';
import { HiboutikClient, PAGE_SIZE } from './client.ts';
import { HiboutikSales } from './sale.ts';
import { HiboutikStock } from './stock.ts';
import { createHiboutikPush } from './push.ts';

export { formatItemId, parseItemId } from './ids.ts';
export { unitPrice, type SaleStep } from './sale.ts';

/** Hiboutik's published limits: 10,000 calls a month per shop, 30 in flight. */
const MAX_CONCURRENT = 30;
/** One unpaged warehouse call answers the whole warehouse; this many ids is the scale we plan for. */
const COUNTS_PAGE_SIZE = 10_000;

export type HiboutikAdapter = PosAdapter & {
  /** This month's calls against `maximumRequests` (and the part kept for sales). */
  budget(): ReturnType<MonthlyCallBudget['usage']>;
};

export function createHiboutikAdapter(connection: HiboutikConnection, deps: AdapterDeps): HiboutikAdapter {
  const client = new HiboutikClient(connection, deps);
  const catalog = new HiboutikCatalog(client);
  const stock = new HiboutikStock(client, catalog, connection.warehouseId, deps.now ?? Date.now);
  const sales = new HiboutikSales(client, { storeId: connection.storeId, customerId: connection.customerId });
  const capabilities: PosCapabilities = {
    webhooks: true,
    countsPageSize: COUNTS_PAGE_SIZE,
    lookupBatchSize: PAGE_SIZE,
    catalogPageSize: PAGE_SIZE,
    rateLimit: { kind: 'monthly-quota', callsPerMonth: connection.maximumRequests, maxConcurrent: MAX_CONCURRENT },
    saleDeduplication: 'reference-lookup',
  };
  return {
    capabilities,
    push: createHiboutikPush(connection, client),
    readCounts: (posItemIds, options) => stock.readCounts(posItemIds, options),
    getItems: (posItemIds) => catalog.getItems(posItemIds),
    readCatalog: (options) => catalog.readAll(options),
    searchItems: (text) => catalog.searchItems(text),
    recordSale: (sale) => sales.record(sale),
    apiCalls: () => client.calls(),
    quota: () => client.quotaState(),
    budget: () => client.budget.usage(),
    limits: () => {
      const usage = client.budget.usage();
      return { quotaLeft: Math.max(0, usage.limit - usage.used) };
    },
  };
}
