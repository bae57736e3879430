import type { Square, SquareClient } from 'square';
import { countingFetch } from './transport.ts';
import { fetcherWithoutSdkTimer, squareSdk } from './sdk.ts';

/**
 * The five Square calls the adapter makes, as a small structural interface. The adapter only
 * depends on this, so tests can swap in a fake and the SDK stays in one file. Answers are
 * `unknown` on purpose: shapes.ts checks every one before the adapter trusts it (DESIGN rule 5).
 * One method call = one HTTP attempt: retries are decided in calls.ts, never by the SDK.
 */
export interface CountsQuery {
  catalogObjectIds?: string[];
  locationIds: string[];
  cursor?: string;
}

export interface SaleAdjustment {
  idempotencyKey: string;
  catalogObjectId: string;
  locationId: string;
  /** Decimal string, as Square takes quantities. */
  quantity: string;
  occurredAt: string;
  referenceId: string;
}

export interface SquareApi {
  /** POST /v2/inventory/counts/batch-retrieve, one page (IN_STOCK only, limit 1000). */
  batchGetCounts(query: CountsQuery, signal?: AbortSignal): Promise<unknown>;
  /** POST /v2/inventory/changes/batch-create with one IN_STOCK → SOLD adjustment. */
  recordAdjustment(sale: SaleAdjustment, signal?: AbortSignal): Promise<unknown>;
  /** POST /v2/catalog/batch-retrieve with the parent items as related objects. */
  catalogBatchGet(objectIds: string[], includeRelated: boolean, signal?: AbortSignal): Promise<unknown>;
  /** POST /v2/catalog/search for every ITEM (variations nested), one page of ≤ 1000, from `cursor`. */
  listItems(cursor: string | undefined, signal?: AbortSignal): Promise<unknown>;
  /** POST /v2/catalog/search-catalog-items with a text filter (one page of ≤ 100 items). */
  searchItems(text: string, signal?: AbortSignal): Promise<unknown>;
  /** HTTP attempts made so far. */
  calls(): number;
}

export const COUNTS_PAGE_LIMIT = 1000;
export const SEARCH_PAGE_LIMIT = 100;
/** SearchCatalogObjects' documented maximum page. */
export const CATALOG_PAGE_LIMIT = 1000;

export interface SdkApiOptions {
  baseUrl: string;
  accessToken: string;
  /** Sent per request: SDK v46 ignores a client-level version and always sends its own otherwise. */
  squareVersion?: string;
  fetch?: typeof fetch;
  timeoutMs: number;
}

/** The SquareApi on the official SDK v46, with every attempt going through our counting fetch. */
export function createSdkApi(options: SdkApiOptions): SquareApi {
  const counted = countingFetch(options.fetch ?? fetch, options.timeoutMs);
  let made: Promise<SquareClient> | undefined;
  const client = () => (made ??= squareSdk().then(({ SquareClient }) => new SquareClient({
    token: options.accessToken,
    baseUrl: options.baseUrl,
    // Our loop decides retries (one policy, capped Retry-After, long waits go to the job queue).
    maxRetries: 0,
    // The counting fetch times each attempt out, with a cause we can classify; this is the SDK's
    // own backstop, used only where its fetcher could not be loaded without its timer (sdk.ts).
    timeoutInSeconds: Math.ceil(options.timeoutMs / 1000) + 5,
    fetch: counted.fetch,
    fetcher: fetcherWithoutSdkTimer(),
    logging: { level: 'error', silent: true },
  })));
  const request = (signal?: AbortSignal) => ({
    maxRetries: 0,
    ...(signal ? { abortSignal: signal } : {}),
    ...(options.squareVersion ? { headers: { 'Square-Version': options.squareVersion } } : {}),
  });

  return {
    async batchGetCounts(query, signal) {
      const page = await (await client()).inventory.batchGetCounts(
        {
          locationIds: query.locationIds,
          states: ['IN_STOCK'],
          limit: COUNTS_PAGE_LIMIT,
          ...(query.catalogObjectIds ? { catalogObjectIds: query.catalogObjectIds } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        },
        request(signal),
      );
      // The raw answer of this one page; we follow `cursor` ourselves (one retry loop per page).
      return page.response;
    },
    async recordAdjustment(sale, signal) {
      const body: Square.BatchChangeInventoryRequest = {
        idempotencyKey: sale.idempotencyKey,
        changes: [
          {
            type: 'ADJUSTMENT',
            adjustment: {
              catalogObjectId: sale.catalogObjectId,
              fromState: 'IN_STOCK',
              toState: 'SOLD',
              quantity: sale.quantity,
              // SDK v46 has no `locationId` on adjustments (it would be dropped from the wire): since
              // Square-Version 2026-07-15 a same-location move names the location on both sides.
              fromLocationId: sale.locationId,
              toLocationId: sale.locationId,
              occurredAt: sale.occurredAt,
              referenceId: sale.referenceId,
            },
          },
        ],
      };
      return (await client()).inventory.batchCreateChanges(body, request(signal));
    },
    async catalogBatchGet(objectIds, includeRelated, signal) {
      return (await client()).catalog.batchGet({ objectIds, includeRelatedObjects: includeRelated }, request(signal));
    },
    async listItems(cursor, signal) {
      return (await client()).catalog.search({ objectTypes: ['ITEM'], limit: CATALOG_PAGE_LIMIT, ...(cursor ? { cursor } : {}) }, request(signal));
    },
    async searchItems(text, signal) {
      return (await client()).catalog.searchItems({ textFilter: text, limit: SEARCH_PAGE_LIMIT }, request(signal));
    },
    calls: counted.calls,
  };
}
