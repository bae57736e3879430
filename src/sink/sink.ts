import type { ShopKey } from '../config/types.ts';

/**
 * The shop's stock table. possync only ever sets quantities there (and, when an item is
 * registered, makes sure its row exists), so an outage delays writes and loses nothing.
 */
export interface SinkRow {
  ecommerceId: string;
  posItemId: string;
  accountId: string;
  description: string;
  limitQuantity: number;
  quantity: number;
}

export interface SinkWriteResult {
  /** Rows whose quantity actually changed. */
  changed: number;
}

export interface Sink {
  /** Creates or refreshes the row of a newly registered item (quantity included). */
  upsertItem(row: SinkRow): Promise<void>;
  /**
   * The same for many rows, a batch per transaction, where the dialect can (bulk mapping writes
   * thousands); callers fall back to upsertItem when it is absent.
   */
  upsertItems?(rows: readonly SinkRow[]): Promise<void>;
  /** Sets quantities in batches; rows already holding the value are not touched. */
  writeQuantities(rows: ReadonlyArray<{ ecommerceId: string; quantity: number }>): Promise<SinkWriteResult>;
  /** Current quantity per e-commerce id (for checks and the demo). */
  readQuantities(ecommerceIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Every row's e-commerce id with its key (SKU or barcode column, as configured; null when blank)
   * and its account column, for auto-match. SinkError when that column is not configured.
   */
  readKeys(by: ShopKey): Promise<ShopKeyRow[]>;
  /** Human-readable target without secrets, e.g. "mysql://shop@127.0.0.1:3306/ecommerce (table stock)". */
  describe(): string;
  close(): Promise<void>;
}

export interface ShopKeyRow {
  ecommerceId: string;
  /** Trimmed; null when the cell is NULL or blank. */
  key: string | null;
  accountId: string | null;
}
