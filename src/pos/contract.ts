/**
 * The one contract the engine uses to talk to a POS. Each POS implements it in its own folder;
 * the engine never asks which POS it has (a quota, where a POS has one, is `quota()`).
 */

/** One count of one sellable unit at the account's location. */
export interface StockCount {
  /** Square item-variation id, Lightspeed itemID, Hiboutik `product_id` (or `product_id:size`). */
  posItemId: string;
  /** Whole units (see quantities.ts for the rounding rule); null = the POS never counted it (unknown, not 0). */
  onHand: number | null;
  /** When the POS computed this count, if it says. */
  countedAt?: string;
}

export interface CatalogItem {
  posItemId: string;
  name: string;
  sku?: string;
  /** UPC/EAN or the POS's own barcode field, when the item has one. */
  barcode?: string;
  priceCents?: number;
}

/** One page of a full catalog read (bulk mapping reads each account's catalog once). */
export interface CatalogPage {
  items: CatalogItem[];
  /**
   * Counts of this shop that came with the same answer, for a POS whose catalog pages can carry
   * stock at little extra cost; absent when counts need their own read (`readCounts`).
   */
  counts?: StockCount[];
}

export type ItemQuery = { posItemId: string } | { name: string } | { sku: string };

export interface SaleToRecord {
  /** Our ledger id: Square's idempotency key, Lightspeed's referenceNumber, Hiboutik's ext_ref. */
  saleId: string;
  posItemId: string;
  quantity: number;
  amountCents: number;
  /** Earlier attempts may have reached the POS: look the sale up before posting it again. */
  mayExist: boolean;
  /** Where a multi-step sale got to last time, as saved through `saveProgress`. */
  progress?: SaleProgress;
  /** Persists each finished step so a crashed dispatch resumes instead of starting over. */
  saveProgress?: (progress: SaleProgress) => Promise<void>;
}

/** Opaque to the engine: each adapter stores what it needs to resume (ids, last finished step). */
export type SaleProgress = Record<string, string>;

export interface SaleReceipt {
  /** The POS's id for what was recorded (sale id, inventory change id). */
  posReference: string;
  /** True when a lookup found the sale already on the POS and nothing was posted. */
  alreadyRecorded: boolean;
}

/** A POS's published rate limit, for the dashboard (each POS module says its own). */
export type RateLimitModel =
  | { kind: 'unpublished' }
  | { kind: 'leaky-bucket'; size: number; dripPerSecond: number }
  | { kind: 'monthly-quota'; callsPerMonth: number; maxConcurrent: number };

export interface PosCapabilities {
  /** The POS can push stock changes to us. */
  webhooks: boolean;
  /** Largest number of item ids one counts page covers. */
  countsPageSize: number;
  /** Largest number of item ids one catalog lookup covers. */
  lookupBatchSize: number;
  /** Catalog items one `readCatalog` page holds (a full read costs about catalog ÷ this calls). */
  catalogPageSize: number;
  rateLimit: RateLimitModel;
  /** How a re-post is kept from doubling a sale. */
  saleDeduplication: 'idempotency-key' | 'reference-lookup';
}

/**
 * Where an account's call quota stands (POS with a monthly quota only). `refused`: the POS itself
 * refused us for quota; `spent`: our own count reached it. Either way nothing is called until
 * `resumesAt`: polls pause, sales stay queued.
 */
export interface QuotaState {
  state: 'ok' | 'spent' | 'refused';
  used: number;
  limit: number;
  resumesAt: string | null;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

/** One webhook delivery as it arrived: raw bytes (signatures cover them) and headers. */
export interface WebhookDelivery {
  body: Buffer;
  contentType: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What a stock event says, once its sender is proven. */
export interface PushEvent {
  /** The POS's id for the event (or one derived from what it names): duplicates are dropped by it. */
  eventId: string;
  /** When the POS says it happened. */
  createdAt?: Date;
  /** POS item ids whose stock may have moved; null = the event does not say (re-read every mapped item). */
  posItemIds: string[] | null;
}

export type PushVerdict =
  /** Genuine. `event` null: not about this account's stock (another event type, store, location); acknowledge and ignore. */
  | { ok: true; event: PushEvent | null }
  /** 400 unreadable, 401 unsigned, 403 forged or stale: refused, nothing written. */
  | { ok: false; status: 400 | 401 | 403; reason: string };

/** What proves a delivery came from the POS, as stored for the account. */
export interface PushSecret {
  /** Square: the subscription's signature key. Unused for url-token channels (checked before `read`). */
  signatureKey?: string;
  /** The notification URL exactly as registered with the POS (Square signs it with the body). */
  notificationUrl: string;
}

/**
 * A POS that pushes stock changes (capabilities.webhooks). Registration and the reading of a
 * delivery stay in the POS's folder; the engine stores secrets, deduplicates and re-reads.
 */
export interface PushChannel {
  /**
   * 'signature': the POS signs each delivery with a key it issues at registration.
   * 'url-token': the POS signs nothing; the URL carries a secret token possync generates.
   */
  readonly proof: 'signature' | 'url-token';
  /** Registers the URL with the POS. Returns the key it signs with (signature channels) and ids to remove later. */
  register(notificationUrl: string): Promise<{ signatureKey?: string; references: string[] }>;
  /** Removes registrations made earlier (ids from `register`); ids the POS no longer knows are skipped. */
  unregister(references: readonly string[]): Promise<void>;
  /** Checks (signature channels) and reads one delivery. `now` is possync's clock, for staleness. */
  read(delivery: WebhookDelivery, secret: PushSecret, now: Date): PushVerdict;
  /** What a person sets in the POS's back office when the API cannot (or may not) register it. */
  manualSteps(notificationUrl: string): string[];
}

export interface PosAdapter {
  /** Present when the POS pushes stock changes (capabilities.webhooks). */
  readonly push?: PushChannel;
  /**
   * Present when the POS can list counts changed since a time (Lightspeed's ItemShop.timeStamp):
   * rows changed at or after `since`, on the POS's clock, each with its `countedAt`.
   */
  readChangedSince?(since: Date, options?: ReadOptions): AsyncGenerator<StockCount[], void, undefined>;
  /**
   * Counts for the given POS item ids (or every item when omitted), a page at a time. An id the POS
   * does not know is absent from the pages; an id it knows but never counted comes back with
   * `onHand: null`. Throws a PosError; a failed page never yields partial data.
   */
  readCounts(posItemIds?: readonly string[], options?: ReadOptions): AsyncGenerator<StockCount[], void, undefined>;
  /** Catalog entries for these ids (unknown ids are left out), batched by `lookupBatchSize`. */
  getItems(posItemIds: readonly string[]): Promise<CatalogItem[]>;
  /**
   * Every sellable unit of the account's catalog, a page at a time, read once from the start
   * (one call per page). Throws a PosError; a failed page never yields partial data.
   */
  readCatalog(options?: ReadOptions): AsyncGenerator<CatalogPage, void, undefined>;
  /** Candidates for a name or SKU, as the POS's own search finds them (may include near misses). */
  searchItems(text: string): Promise<CatalogItem[]>;
  /** Records one sale exactly once (see SaleToRecord.mayExist). */
  recordSale(sale: SaleToRecord): Promise<SaleReceipt>;
  /** API calls made since the adapter was created, for run records and benchmarks. */
  apiCalls(): number;
  readonly capabilities: PosCapabilities;
  /** Present when the POS has a call quota (Hiboutik's monthly one): the engine pauses polls on it. */
  quota?(): QuotaState;
  /** Where the account stands against its POS's rate limits, for metrics (absent = nothing to say). */
  limits?(): AdapterLimits;
}

/** Each field only where the POS has that kind of limit. */
export interface AdapterLimits {
  /** Calls left this month (monthly quota). */
  quotaLeft?: number;
  /** Estimated leaky-bucket level and its size. */
  bucketLevel?: number;
  bucketSize?: number;
  /** Milliseconds spent waiting for rate-limit room since the adapter was created. */
  rateLimitWaitMs?: number;
}
