import { setTimeout as sleepFor } from 'node:timers/promises';
import type { SquareConnection } from '../accounts.ts';
import type { PosAdapter, PosCapabilities, ReadOptions, StockCount } from '../contract.ts';
import type { AdapterDeps } from '../deps.ts';
import { DEFAULT_RETRY_POLICY } from '../retry.ts';
import { CATALOG_PAGE_LIMIT, COUNTS_PAGE_LIMIT, createSdkApi, type SquareApi } from './api.ts';
import { SquareCaller } from './calls.ts';
import { CatalogReader, KnownVariations, LOOKUP_BATCH_SIZE } from './catalog.ts';
import { CountsReader } from './counts.ts';
import { SaleRecorder } from './sale.ts';
import { createSquarePush } from './push.ts';

/**
 * Square (API v2, official `square` SDK v46) behind the POS contract. Modules: transport (counting
 * fetch, timeouts, JSON check), api (the SDK behind a small interface), calls (retry loop, typed
 * errors), shapes (answer checks), counts, catalog, sale.
 */
export const SQUARE_CAPABILITIES: PosCapabilities = {
  webhooks: true,
  countsPageSize: COUNTS_PAGE_LIMIT,
  // BatchRetrieveCatalogObjects documents no maximum; 1000 matches the counts page (UNCONFIRMED upstream).
  lookupBatchSize: LOOKUP_BATCH_SIZE,
  catalogPageSize: CATALOG_PAGE_LIMIT,
  rateLimit: { kind: 'unpublished' },
  saleDeduplication: 'idempotency-key',
};

/** The version that moved adjustment locations to from_/to_location_id (all SDK v46 can send). */
const LOCATION_FIELDS_VERSION = '2026-07-15';

export interface SquareAdapter extends PosAdapter {
  /** Retry decisions taken so far (label, attempt, decision), for run records and tests. */
  retryLog(): ReadonlyArray<{ label: string; attempt: number; decision: { retry: boolean; reason: string; waitMs: number } }>;
}

export interface SquareAdapterOptions {
  /** Replaces the SDK-backed API (tests). */
  api?: SquareApi;
}

async function* abortable(pages: AsyncGenerator<StockCount[], void, undefined>, signal?: AbortSignal): AsyncGenerator<StockCount[], void, undefined> {
  signal?.throwIfAborted();
  for await (const page of pages) {
    yield page;
    signal?.throwIfAborted();
  }
}

export function createSquareAdapter(connection: SquareConnection, deps: AdapterDeps, options: SquareAdapterOptions = {}): SquareAdapter {
  const first = connection.locationIds[0];
  if (first === undefined) throw new Error('square account: locationIds must name at least one location (sales are posted to the first)');
  if (connection.squareVersion !== undefined && connection.squareVersion < LOCATION_FIELDS_VERSION) {
    // SDK v46 can only send from_/to_location_id, which older versions do not read.
    throw new Error(`square account: squareVersion ${connection.squareVersion} is older than ${LOCATION_FIELDS_VERSION}, which SDK v46 cannot post sales to`);
  }
  const now = deps.now ?? Date.now;
  const api =
    options.api ??
    createSdkApi({
      baseUrl: connection.baseUrl,
      accessToken: connection.accessToken,
      timeoutMs: deps.timeoutMs ?? 15_000,
      ...(connection.squareVersion ? { squareVersion: connection.squareVersion } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  const caller = new SquareCaller({
    policy: { ...DEFAULT_RETRY_POLICY, ...deps.policy },
    sleep: deps.sleep ?? ((ms) => sleepFor(ms)),
    now,
    secrets: [connection.accessToken],
  });
  const locationIds = [...new Set(connection.locationIds)];
  const known = new KnownVariations(api, caller, now);
  const counts = new CountsReader(api, caller, locationIds, known);
  const catalog = new CatalogReader(api, caller, known);
  const sales = new SaleRecorder(api, caller, first, now);
  return {
    capabilities: SQUARE_CAPABILITIES,
    push: createSquarePush(connection, deps.fetch),
    readCounts: (posItemIds?: readonly string[], readOptions?: ReadOptions) => abortable(counts.read(posItemIds, readOptions?.signal), readOptions?.signal),
    getItems: (posItemIds) => catalog.getItems(posItemIds),
    readCatalog: (readOptions?: ReadOptions) => catalog.readAll(readOptions?.signal),
    searchItems: (text) => catalog.searchItems(text),
    recordSale: (sale) => sales.record(sale),
    apiCalls: () => api.calls(),
    retryLog: () => [...caller.retries],
  };
}
