/**
 * Records the Hiboutik simulator keeps in memory, and its switches. Ids are numbers and money is
 * a decimal string ("12.50"), as in real Hiboutik JSON (sale payloads show `"total": "763.50"`
 * next to numeric ids).
 */
export const STOCK_DECREMENT_POINTS = ['add_product', 'close'] as const;
export const STOCK_PAGING = ['off', '250'] as const;
export const RIGHTS = ['all', 'read', 'none'] as const;
export const OUT_OF_STOCK = ['reject', 'allow'] as const;
export const NEGATIVE_STOCK_ORDERS = ['accept', 'reject'] as const;

export const SWITCH_NAMES = ['stockDecrementAt', 'stockPaging', 'monthlyQuota', 'maxConcurrent', 'rights', 'outOfStock', 'negativeStockOrders'] as const;

export interface HiboutikSwitches {
  /** When a line with stock_withdrawal=1 takes stock: at add_product (default) or at close. UNCONFIRMED upstream. */
  stockDecrementAt: (typeof STOCK_DECREMENT_POINTS)[number];
  /** Whether /stock_available/warehouse_id/{id} pages at 250 rows (UNCONFIRMED upstream; default off). */
  stockPaging: (typeof STOCK_PAGING)[number];
  monthlyQuota: number;
  maxConcurrent: number;
  /** The API user's rights: all, read (writes get 403), none (every call gets 403). */
  rights: (typeof RIGHTS)[number];
  /** add_product with stock_withdrawal=1 on a stock-managed product short of stock: 422 (default) or accepted. */
  outOfStock: (typeof OUT_OF_STOCK)[number];
  /** Negative quantities in inventory input details (UNCONFIRMED upstream; default accepted). */
  negativeStockOrders: (typeof NEGATIVE_STOCK_ORDERS)[number];
}

export interface SizeRecord {
  sizeId: number;
  name: string;
  barcode: string;
}

export interface ProductRecord {
  id: number;
  model: string;
  barcode: string;
  priceCents: number;
  stockManagement: 0 | 1;
  arch: 0 | 1;
  sizes: SizeRecord[];
}

export interface StoreRecord {
  id: number;
  name: string;
  warehouseId: number;
}

export interface WarehouseRecord {
  id: number;
  name: string;
}

export interface LineRecord {
  id: number;
  productId: number;
  size: number;
  quantity: number;
  priceCents: number;
  withdrawal: 0 | 1;
  comments: string;
  /** True once this line's quantity left the stock (at add or at close, per the switch). */
  stockTaken: boolean;
}

export interface SaleRecord {
  id: number;
  storeId: number;
  warehouseId: number;
  customerId: number;
  vendorId: number;
  currency: string;
  pricesWithoutTaxes: number;
  dutyFreeSale: number;
  createdAt: number;
  completedAt: number | null;
  extRef: string;
  payment: string;
  comments: string;
  lines: LineRecord[];
}

export interface DetailRecord {
  id: number;
  productId: number;
  size: number;
  quantity: number;
}

export interface InventoryInputRecord {
  id: number;
  stockId: number;
  label: string;
  createdAt: number;
  validatedAt: number | null;
  details: DetailRecord[];
}

export interface WebhookRecord {
  id: number;
  label: string;
  url: string;
  action: string;
  appId: string;
  async: 0 | 1;
}

export const WEBHOOK_ACTIONS = ['sale', 'sale_item', 'payment', 'customer', 'store_credit', 'product', 'stock_order', 'timestamp', 'schedule'] as const;

/** Ledger item name: the product id for size 0, "product:size" for a variant. */
export function itemName(productId: number, size: number): string {
  return size === 0 ? String(productId) : `${productId}:${size}`;
}

export function parseItemName(item: string): { productId: number; size: number } | null {
  const match = /^(\d+)(?::(\d+))?$/.exec(item);
  if (!match) return null;
  return { productId: Number(match[1]), size: match[2] === undefined ? 0 : Number(match[2]) };
}

export const money = (cents: number): string => (cents / 100).toFixed(2);

/** Hiboutik's "YYYY-MM-DD HH:MM:SS" (UTC here). */
export function hiboutikDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
