import type { Ledger, LedgerSource } from '../kit/ledger.ts';
import type { Clock } from '../kit/clock.ts';
import type { SeedFile } from '../kit/seed.ts';
import { HiboutikError, invalid, notFound } from './errors.ts';
import {
  itemName,
  type DetailRecord,
  type HiboutikSwitches,
  type InventoryInputRecord,
  type LineRecord,
  type ProductRecord,
  type SaleRecord,
  type StoreRecord,
  type WarehouseRecord,
  type WebhookRecord,
} from './types.ts';

export interface StoreEvents {
  saleClosed(sale: SaleRecord): void;
  stockOrderValidated(input: InventoryInputRecord): void;
}

/** Who made a write: the API (with the endpoint it came through) or the till. */
export interface Origin {
  source: LedgerSource;
  endpoint?: string;
}

const stockKey = (productId: number, size: number, warehouseId: number) => `${productId}:${size}@${warehouseId}`;

function numericId(value: string, what: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new RangeError(`Hiboutik ${what} ids must be positive integers (got "${value}")`);
  return Number(value);
}

/** First ids handed out; distinct ranges so an adapter mixing up ids fails loudly. */
const FIRST = { sale: 10001, line: 50001, input: 501, detail: 7001, webhook: 1 };

/** The account's state: catalog, stock per (product, size, warehouse), sales, stock orders, webhooks. */
export class HiboutikStore {
  readonly products = new Map<number, ProductRecord>();
  readonly stores: StoreRecord[] = [];
  readonly warehouses: WarehouseRecord[] = [];
  private seedStock = new Map<string, number>();
  stock = new Map<string, number>();
  sales = new Map<number, SaleRecord>();
  inputs = new Map<number, InventoryInputRecord>();
  webhooks = new Map<number, WebhookRecord>();
  private next = { ...FIRST };

  constructor(
    seed: SeedFile,
    private readonly deps: { clock: Clock; ledger: Ledger; switches: HiboutikSwitches; events: StoreEvents },
  ) {
    for (const location of seed.locations) {
      const id = numericId(location.id, 'warehouse/store');
      this.warehouses.push({ id, name: location.name });
      this.stores.push({ id, name: location.name, warehouseId: id });
    }
    for (const item of seed.items) {
      const id = numericId(item.id, 'product');
      this.products.set(id, { id, model: item.name, barcode: item.sku ?? '', priceCents: item.priceCents, stockManagement: 1, arch: 0, sizes: [] });
      for (const [location, count] of Object.entries(item.stock)) this.seedStock.set(stockKey(id, 0, Number(location)), count);
    }
    this.reset();
  }

  reset(): void {
    this.stock = new Map(this.seedStock);
    this.sales = new Map();
    this.inputs = new Map();
    this.webhooks = new Map();
    this.next = { ...FIRST };
  }

  // ---- reads -------------------------------------------------------------------------------

  product(id: number): ProductRecord {
    const product = this.products.get(id);
    if (!product) throw notFound('Product', { product_id: `Unknown product ${id}` });
    return product;
  }

  hasWarehouse(id: number): boolean {
    return this.warehouses.some((w) => w.id === id);
  }

  quantity(productId: number, size: number, warehouseId: number): number | null {
    return this.stock.get(stockKey(productId, size, warehouseId)) ?? null;
  }

  /** Stock rows in a stable order (warehouse, product, size); rows exist only once counted. */
  stockRows(filter: { warehouseId?: number; productId?: number; size?: number } = {}) {
    const rows: Array<{ productId: number; size: number; warehouseId: number; quantity: number }> = [];
    for (const [key, quantity] of this.stock) {
      const [pair, warehouse] = key.split('@') as [string, string];
      const [product, size] = pair.split(':').map(Number) as [number, number];
      const row = { productId: product, size, warehouseId: Number(warehouse), quantity };
      if (filter.warehouseId !== undefined && row.warehouseId !== filter.warehouseId) continue;
      if (filter.productId !== undefined && row.productId !== filter.productId) continue;
      if (filter.size !== undefined && row.size !== filter.size) continue;
      rows.push(row);
    }
    return rows.sort((a, b) => a.warehouseId - b.warehouseId || a.productId - b.productId || a.size - b.size);
  }

  sale(id: number): SaleRecord {
    const sale = this.sales.get(id);
    if (!sale) throw notFound('Sale', { sale_id: `Unknown sale ${id}` });
    return sale;
  }

  input(id: number): InventoryInputRecord {
    const input = this.inputs.get(id);
    if (!input) throw notFound('Inventory input', { inventory_input_id: `Unknown inventory input ${id}` });
    return input;
  }

  private checkSize(product: ProductRecord, size: number): void {
    const ok = size === 0 ? product.sizes.length === 0 : product.sizes.some((s) => s.sizeId === size);
    if (!ok) throw invalid(`Size ${size} does not exist for product ${product.id}`, { size_id: `Unknown size ${size} for product ${product.id}` });
  }

  // ---- sales -------------------------------------------------------------------------------

  createSale(fields: { storeId: number; customerId: number; vendorId: number; currency: string; pricesWithoutTaxes: number; dutyFreeSale: number }): SaleRecord {
    const store = this.stores.find((s) => s.id === fields.storeId);
    if (!store) throw invalid(`Unknown store ${fields.storeId}`, { store_id: `Unknown store ${fields.storeId}` });
    const sale: SaleRecord = {
      id: this.next.sale++,
      storeId: store.id,
      warehouseId: store.warehouseId,
      customerId: fields.customerId,
      vendorId: fields.vendorId,
      currency: fields.currency,
      pricesWithoutTaxes: fields.pricesWithoutTaxes,
      dutyFreeSale: fields.dutyFreeSale,
      createdAt: this.deps.clock.now(),
      completedAt: null,
      extRef: '',
      payment: '',
      comments: '',
      lines: [],
    };
    this.sales.set(sale.id, sale);
    return sale;
  }

  addLine(
    saleId: number,
    fields: { productId: number; size: number; quantity: number; priceCents?: number; withdrawal: 0 | 1; comments: string },
    origin: Origin,
  ): LineRecord {
    const sale = this.sale(saleId);
    if (sale.completedAt !== null) throw invalid(`Sale ${saleId} is closed`, { sale_id: `Sale ${saleId} is already closed` });
    if (fields.quantity <= 0) throw invalid('Quantity must be positive', { quantity: 'Quantity must be a positive integer' });
    // product_id 0 is Hiboutik's free-text "unknown product" line: no catalog entry, no stock.
    const product = fields.productId === 0 ? null : this.products.get(fields.productId);
    if (fields.productId !== 0 && !product) throw invalid(`Unknown product ${fields.productId}`, { product_id: `Unknown product ${fields.productId}` });
    if (product) this.checkSize(product, fields.size);
    const takesStock = product !== null && product !== undefined && product.stockManagement === 1 && fields.withdrawal === 1;
    if (takesStock && origin.source === 'api' && this.deps.switches.outOfStock === 'reject') {
      const onHand = this.quantity(product.id, fields.size, sale.warehouseId) ?? 0;
      const pending = sale.lines.filter((l) => !l.stockTaken && l.withdrawal === 1 && l.productId === product.id && l.size === fields.size).reduce((n, l) => n + l.quantity, 0);
      if (onHand - pending < fields.quantity) {
        throw invalid(`Product ${product.id} is not available in warehouse ${sale.warehouseId}`, { product_id: `Stock available: ${onHand - pending}, requested: ${fields.quantity}` });
      }
    }
    const line: LineRecord = {
      id: this.next.line++,
      productId: fields.productId,
      size: fields.size,
      quantity: fields.quantity,
      priceCents: fields.priceCents ?? product?.priceCents ?? 0,
      withdrawal: fields.withdrawal,
      comments: fields.comments,
      stockTaken: false,
    };
    sale.lines.push(line);
    if (this.deps.switches.stockDecrementAt === 'add_product') this.takeStock(sale, line, origin);
    return line;
  }

  closeSale(saleId: number, origin: Origin): SaleRecord {
    const sale = this.sale(saleId);
    if (sale.completedAt !== null) throw invalid(`Sale ${saleId} is already closed`, { sale_id: `Sale ${saleId} is already closed` });
    for (const line of sale.lines) this.takeStock(sale, line, origin);
    sale.completedAt = this.deps.clock.now();
    this.deps.events.saleClosed(sale);
    return sale;
  }

  /** PUT /sale/{id}: one attribute per call, like Hiboutik. */
  setSaleAttribute(saleId: number, attribute: string, value: string): SaleRecord {
    const sale = this.sale(saleId);
    const asInt = () => {
      if (!/^\d+$/.test(value)) throw invalid(`new_value for ${attribute} must be an integer`, { new_value: 'This field must be an integer' });
      return Number(value);
    };
    switch (attribute) {
      case 'ext_ref':
        sale.extRef = value;
        break;
      case 'payment':
        sale.payment = value;
        break;
      case 'comments':
        sale.comments = value;
        break;
      case 'customer_id':
        sale.customerId = asInt();
        break;
      case 'vendor_id':
        sale.vendorId = asInt();
        break;
      default:
        throw invalid(`Unknown sale attribute ${attribute}`, { sale_attribute: 'Accepted: ext_ref, payment, comments, customer_id, vendor_id' });
    }
    return sale;
  }

  /** Withdraws a line's quantity once; the ledger entry carries the sale id and its ext_ref of the moment. */
  private takeStock(sale: SaleRecord, line: LineRecord, origin: Origin): void {
    if (line.stockTaken || line.withdrawal !== 1 || line.productId === 0) return;
    const product = this.products.get(line.productId);
    if (!product || product.stockManagement !== 1) return;
    const key = stockKey(line.productId, line.size, sale.warehouseId);
    this.stock.set(key, (this.stock.get(key) ?? 0) - line.quantity);
    line.stockTaken = true;
    this.deps.ledger.record({
      source: origin.source,
      kind: 'sale',
      item: itemName(line.productId, line.size),
      location: String(sale.warehouseId),
      quantity: -line.quantity,
      ...(sale.extRef ? { reference: sale.extRef } : {}),
      posId: String(sale.id),
      ...(origin.endpoint ? { endpoint: origin.endpoint } : {}),
    });
  }

  /** Substring match, case-insensitive (like a SQL LIKE under MySQL's default collation). */
  searchByExtRef(reference: string): SaleRecord[] {
    const needle = reference.toLowerCase();
    if (needle === '') return [];
    return [...this.sales.values()].filter((s) => s.extRef.toLowerCase().includes(needle));
  }

  // ---- stock orders ------------------------------------------------------------------------

  createInput(stockId: number, label: string): InventoryInputRecord {
    if (!this.hasWarehouse(stockId)) throw invalid(`Unknown warehouse ${stockId}`, { stock_id: `Unknown warehouse ${stockId}` });
    const input: InventoryInputRecord = { id: this.next.input++, stockId, label, createdAt: this.deps.clock.now(), validatedAt: null, details: [] };
    this.inputs.set(input.id, input);
    return input;
  }

  /** `fromApi` false for the till's own counts, which may lower stock whatever the switch says. */
  addDetail(inputId: number, fields: { productId: number; size: number; quantity: number }, fromApi = true): DetailRecord {
    const input = this.input(inputId);
    if (input.validatedAt !== null) throw invalid(`Inventory input ${inputId} is already validated`, { inventory_input_id: 'Already validated' });
    const product = this.products.get(fields.productId);
    if (!product) throw invalid(`Unknown product ${fields.productId}`, { product_id: `Unknown product ${fields.productId}` });
    this.checkSize(product, fields.size);
    if (fields.quantity === 0) throw invalid('Quantity must not be 0', { quantity: 'Quantity must not be 0' });
    if (fromApi && fields.quantity < 0 && this.deps.switches.negativeStockOrders === 'reject') {
      throw invalid('Quantity must be positive', { quantity: 'Negative quantities are not accepted' });
    }
    const detail: DetailRecord = { id: this.next.detail++, ...fields };
    input.details.push(detail);
    return detail;
  }

  /** Applies every detail to the input's warehouse; `kind` lets an in-store count record a stock_set. */
  validateInput(inputId: number, origin: Origin, ledgerKind: 'stock_order' | 'none' = 'stock_order'): InventoryInputRecord {
    const input = this.input(inputId);
    if (input.validatedAt !== null) throw invalid(`Inventory input ${inputId} is already validated`, { inventory_input_id: 'Already validated' });
    for (const detail of input.details) {
      const key = stockKey(detail.productId, detail.size, input.stockId);
      this.stock.set(key, (this.stock.get(key) ?? 0) + detail.quantity);
      if (ledgerKind === 'none') continue;
      this.deps.ledger.record({
        source: origin.source,
        kind: 'stock_order',
        item: itemName(detail.productId, detail.size),
        location: String(input.stockId),
        quantity: detail.quantity,
        posId: String(input.id),
        ...(origin.endpoint ? { endpoint: origin.endpoint } : {}),
      });
    }
    input.validatedAt = this.deps.clock.now();
    this.deps.events.stockOrderValidated(input);
    return input;
  }

  /** An in-store count: a validated stock order for the difference, so the row ends at `quantity`. */
  countInStore(productId: number, size: number, warehouseId: number, quantity: number): void {
    const current = this.quantity(productId, size, warehouseId);
    const input = this.createInput(warehouseId, 'Inventory count');
    const difference = quantity - (current ?? 0);
    if (difference !== 0) this.addDetail(input.id, { productId, size, quantity: difference }, false);
    // A count of an uncounted pair creates its row even when the count is 0.
    if (current === null) this.stock.set(stockKey(productId, size, warehouseId), 0);
    this.validateInput(input.id, { source: 'in_store' }, 'none');
    this.deps.ledger.record({ source: 'in_store', kind: 'stock_set', item: itemName(productId, size), location: String(warehouseId), quantity, posId: String(input.id) });
  }

  // ---- webhooks registry -------------------------------------------------------------------

  addWebhook(fields: Omit<WebhookRecord, 'id'>): WebhookRecord {
    const hook: WebhookRecord = { id: this.next.webhook++, ...fields };
    this.webhooks.set(hook.id, hook);
    return hook;
  }

  deleteWebhook(id: number): void {
    if (!this.webhooks.delete(id)) throw new HiboutikError(404, 'Webhook not found', { webhook_id: `Unknown webhook ${id}` });
  }
}
