import type { LightspeedConnection } from '../accounts.ts';
import type { PosAdapter, PosCapabilities, ReadOptions, StockCount } from '../contract.ts';
import type { AdapterDeps } from '../deps.ts';
import { CatalogReader } from './catalog.ts';
import { BUCKET_DEFAULTS, LightspeedClient } from './client.ts';
import { SalePoster } from './sale.ts';
import { StockReader } from './stock.ts';

/**
 * Lightspeed Retail R-Series (API V3) behind the POS contract. The folder's modules:
 * normalise (JSON quirks), errors (typed errors, redaction), tokens (rotating OAuth tokens),
 * client (auth + bucket gate + paging), stock, catalog, sale.
 */
export interface LightspeedAdapter extends PosAdapter {
  /** Counts changed at or after `since` (ItemShop.timeStamp): the engine's change polls. */
  readChangedSince(since: Date, options?: ReadOptions): AsyncGenerator<StockCount[], void, undefined>;
  /** Successful OAuth refreshes made by this adapter. */
  refreshCount(): number;
  /** Calls to the token endpoint (outside the API bucket and not in `apiCalls`). */
  tokenCalls(): number;
  /** Milliseconds spent waiting for bucket room before sending. */
  bucketWaitMs(): number;
}

export const LIGHTSPEED_CAPABILITIES: PosCapabilities = {
  webhooks: false,
  countsPageSize: 100,
  lookupBatchSize: 100,
  catalogPageSize: 100,
  rateLimit: { kind: 'leaky-bucket', size: BUCKET_DEFAULTS.size, dripPerSecond: BUCKET_DEFAULTS.dripPerSecond },
  saleDeduplication: 'reference-lookup',
};

/** Stops a read between pages when the caller aborts; a page is never cut in half. */
async function* abortable<T>(pages: AsyncGenerator<T, void, undefined>, signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
  signal?.throwIfAborted();
  for await (const page of pages) {
    yield page;
    signal?.throwIfAborted();
  }
}

export function createLightspeedAdapter(connection: LightspeedConnection, deps: AdapterDeps): LightspeedAdapter {
  const client = new LightspeedClient(connection, deps);
  const stock = new StockReader(client, connection.shopId);
  const catalog = new CatalogReader(client, connection.shopId);
  const sales = new SalePoster(client, connection);
  return {
    capabilities: LIGHTSPEED_CAPABILITIES,
    readCounts: (posItemIds, options) => abortable(posItemIds === undefined ? stock.readAll() : stock.readIds(posItemIds), options?.signal),
    readChangedSince: (since, options) => abortable(stock.readChangedSince(since), options?.signal),
    getItems: (posItemIds) => catalog.getItems(posItemIds),
    readCatalog: (options) => abortable(catalog.readAll(), options?.signal),
    searchItems: (text) => catalog.searchItems(text),
    recordSale: (sale) => sales.record(sale),
    apiCalls: () => client.http.calls(),
    refreshCount: () => client.tokens.refreshCount(),
    tokenCalls: () => client.tokenHttp.calls(),
    bucketWaitMs: () => client.gate.totalWaitMs(),
    limits: () => {
      const { level, size } = client.gate.reading();
      return { bucketLevel: level, bucketSize: size, rateLimitWaitMs: client.gate.totalWaitMs() };
    },
  };
}
