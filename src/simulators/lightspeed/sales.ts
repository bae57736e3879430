import { asList, LsHttpError } from './format.ts';
import { saleTotals } from './entities.ts';
import type { LightspeedContext } from './context.ts';
import type { ItemRecord, SaleLineRecord, SalePaymentRecord, SaleRecord } from './store.ts';

/** Sale writes (POST/PUT) and PUT Item stock sets, with the request-cost rules of §2.8. */
type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export function requireBody(body: unknown): Body {
  if (!isObject(body)) throw new LsHttpError(400, 'The request body must be a JSON object.');
  return body;
}

function nested(body: Body, outer: string, inner: string): Body[] {
  const holder = body[outer];
  if (holder === undefined || holder === null || holder === '') return [];
  if (!isObject(holder)) throw new LsHttpError(400, `${outer} must be an object like {"${inner}": …}.`);
  const rows = asList(holder[inner]);
  rows.forEach((row, i) => {
    if (!isObject(row)) throw new LsHttpError(400, `${outer}.${inner}[${i}] must be an object.`);
  });
  return rows as Body[];
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

/** Request cost of a Sale POST/PUT: 2, +3 when completing, +0.5 per nested line or payment. */
export function saleCost(body: unknown): number {
  if (!isObject(body)) return 2;
  const entities = safeCount(body, 'SaleLines', 'SaleLine') + safeCount(body, 'SalePayments', 'SalePayment');
  return 2 + (truthy(body.completed) ? 3 : 0) + 0.5 * entities;
}

/** Request cost of PUT Item: 1 + 0.5 per nested ItemShop. */
export function itemPutCost(body: unknown): number {
  return 1 + (isObject(body) ? 0.5 * safeCount(body, 'ItemShops', 'ItemShop') : 0);
}

function safeCount(body: Body, outer: string, inner: string): number {
  const holder = body[outer];
  return isObject(holder) ? asList(holder[inner]).length : 0;
}

function idField(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new LsHttpError(400, `${field} is required.`);
    return null;
  }
  const text = String(value).trim();
  if (!/^[0-9]+$/.test(text)) throw new LsHttpError(400, `${field} must be a numeric id (got ${JSON.stringify(value)}).`);
  return String(Number(text));
}

function cents(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new LsHttpError(400, `${field} must be a number (got ${JSON.stringify(value)}).`);
  return Math.round(n * 100);
}

function integer(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n === 0) throw new LsHttpError(400, `${field} must be a non-zero integer (got ${JSON.stringify(value)}).`);
  return n;
}

function text(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') throw new LsHttpError(400, `${field} must be a string.`);
  return String(value);
}

function parseLines(ctx: LightspeedContext, body: Body, now: number): SaleLineRecord[] {
  return nested(body, 'SaleLines', 'SaleLine').map((line, i) => {
    const at = `SaleLines.SaleLine[${i}]`;
    const itemID = idField(line.itemID, `${at}.itemID`, true)!;
    const item: ItemRecord | undefined = ctx.store.items.get(itemID);
    if (!item) throw new LsHttpError(400, `${at}.itemID ${itemID} is not a valid Item.`);
    const unitQuantity = integer(line.unitQuantity ?? 1, `${at}.unitQuantity`);
    const unitPriceCents = line.unitPrice === undefined ? item.priceCents : cents(line.unitPrice, `${at}.unitPrice`);
    const taxed = line.tax === undefined ? true : truthy(line.tax);
    const taxCents = taxed ? Math.round((unitPriceCents * unitQuantity * ctx.taxRatePercent) / 100) : 0;
    return { saleLineID: '', itemID, unitQuantity, unitPriceCents, taxed, taxCents, createTime: now };
  });
}

function parsePayments(ctx: LightspeedContext, body: Body, now: number): SalePaymentRecord[] {
  return nested(body, 'SalePayments', 'SalePayment').map((payment, i) => {
    const at = `SalePayments.SalePayment[${i}]`;
    const paymentTypeID = idField(payment.paymentTypeID, `${at}.paymentTypeID`, true)!;
    if (!ctx.store.paymentTypes.has(paymentTypeID)) throw new LsHttpError(400, `${at}.paymentTypeID ${paymentTypeID} is not a valid PaymentType.`);
    return { salePaymentID: '', paymentTypeID, amountCents: cents(payment.amount, `${at}.amount`), createTime: now };
  });
}

/** A completed sale must balance to the cent; checked before anything is stored. */
function checkBalance(sale: Pick<SaleRecord, 'lines' | 'payments'>): void {
  const t = saleTotals(sale);
  if (t.paymentsCents !== t.totalCents) {
    const amount = (c: number) => (c / 100).toFixed(2);
    throw new LsHttpError(
      400,
      `Sale cannot be completed: payments (${amount(t.paymentsCents)}) do not equal the sale total (${amount(t.totalCents)}); balance due ${amount(t.totalCents - t.paymentsCents)}.`,
      'SaleNotBalancedException',
    );
  }
}

/** Completing moves stock: each line leaves the sale's shop (row created if missing). */
function applyStock(ctx: LightspeedContext, sale: SaleRecord, now: number, endpoint: string): void {
  for (const line of sale.lines) {
    ctx.store.moveStock(line.itemID, sale.shopID, -line.unitQuantity, now);
    ctx.kit.ledger.record({
      source: 'api',
      kind: 'sale',
      item: line.itemID,
      location: sale.shopID,
      quantity: -line.unitQuantity,
      reference: sale.referenceNumber || undefined,
      posId: sale.saleID,
      endpoint,
    });
  }
}

function assignIds(ctx: LightspeedContext, lines: SaleLineRecord[], payments: SalePaymentRecord[]): void {
  for (const l of lines) l.saleLineID = ctx.store.newSaleLineId();
  for (const p of payments) p.salePaymentID = ctx.store.newSalePaymentId();
}

export function createSale(ctx: LightspeedContext, input: unknown, endpoint: string): SaleRecord {
  const body = requireBody(input);
  const now = ctx.kit.clock.now();
  const shopID = idField(body.shopID, 'shopID', true)!;
  if (!ctx.store.shops.has(shopID)) throw new LsHttpError(400, `shopID ${shopID} is not a valid Shop.`);
  const registerID = idField(body.registerID, 'registerID', true)!;
  const register = ctx.store.registers.get(registerID);
  if (!register) throw new LsHttpError(400, `registerID ${registerID} is not a valid Register.`);
  if (register.shopID !== shopID) throw new LsHttpError(400, `Register ${registerID} belongs to shop ${register.shopID}, not shop ${shopID}.`);
  const employeeID = idField(body.employeeID, 'employeeID', true)!;
  if (!ctx.store.employees.has(employeeID)) throw new LsHttpError(400, `employeeID ${employeeID} is not a valid Employee.`);
  const customerID = idField(body.customerID, 'customerID', false) ?? '0';
  const lines = parseLines(ctx, body, now);
  const payments = parsePayments(ctx, body, now);
  const completed = truthy(body.completed);
  if (completed) checkBalance({ lines, payments });
  assignIds(ctx, lines, payments);
  const sale: SaleRecord = {
    saleID: ctx.store.newSaleId(),
    shopID,
    registerID,
    employeeID,
    customerID,
    completed,
    referenceNumber: text(body.referenceNumber, 'referenceNumber') ?? '',
    referenceNumberSource: text(body.referenceNumberSource, 'referenceNumberSource') ?? '',
    taxRatePercent: ctx.taxRatePercent,
    createTime: now,
    completeTime: completed ? now : null,
    timeStamp: now,
    lines,
    payments,
  };
  ctx.store.sales.set(sale.saleID, sale);
  if (completed) applyStock(ctx, sale, now, endpoint);
  return sale;
}

/** PUT Sale: add lines/payments, change the reference, or complete an open sale. */
export function updateSale(ctx: LightspeedContext, saleID: string, input: unknown, endpoint: string): SaleRecord {
  const sale = ctx.store.sales.get(saleID);
  if (!sale) throw new LsHttpError(404, `Sale ${saleID} not found.`);
  const body = requireBody(input);
  const now = ctx.kit.clock.now();
  const lines = parseLines(ctx, body, now);
  const payments = parsePayments(ctx, body, now);
  if (sale.completed && (lines.length > 0 || payments.length > 0)) throw new LsHttpError(400, `Sale ${saleID} is completed; its lines and payments cannot change.`);
  const completing = !sale.completed && truthy(body.completed);
  if (sale.completed && body.completed !== undefined && !truthy(body.completed)) throw new LsHttpError(400, `Sale ${saleID} is completed and cannot be reopened.`);
  const merged = { lines: [...sale.lines, ...lines], payments: [...sale.payments, ...payments] };
  if (completing) checkBalance(merged);
  assignIds(ctx, lines, payments);
  sale.lines = merged.lines;
  sale.payments = merged.payments;
  const reference = text(body.referenceNumber, 'referenceNumber');
  if (reference !== null) sale.referenceNumber = reference;
  const source = text(body.referenceNumberSource, 'referenceNumberSource');
  if (source !== null) sale.referenceNumberSource = source;
  sale.timeStamp = now;
  if (completing) {
    sale.completed = true;
    sale.completeTime = now;
    applyStock(ctx, sale, now, endpoint);
  }
  return sale;
}

/** PUT Item: absolute QoH per ItemShop (by itemShopID or shopID) and a few item fields. */
export function updateItem(ctx: LightspeedContext, itemID: string, input: unknown, endpoint: string): ItemRecord {
  const item = ctx.store.items.get(itemID);
  if (!item) throw new LsHttpError(404, `Item ${itemID} not found.`);
  const body = requireBody(input);
  const now = ctx.kit.clock.now();
  const sets = nested(body, 'ItemShops', 'ItemShop').map((row, i) => {
    const at = `ItemShops.ItemShop[${i}]`;
    const itemShopID = idField(row.itemShopID, `${at}.itemShopID`, false);
    let shopID = idField(row.shopID, `${at}.shopID`, false);
    if (itemShopID !== null) {
      const existing = ctx.store.itemShops.get(itemShopID);
      if (!existing || existing.itemID !== itemID) throw new LsHttpError(400, `${at}.itemShopID ${itemShopID} does not belong to Item ${itemID}.`);
      if (shopID !== null && shopID !== existing.shopID) throw new LsHttpError(400, `${at}: itemShopID ${itemShopID} is for shop ${existing.shopID}, not ${shopID}.`);
      shopID = existing.shopID;
    }
    if (shopID === null) throw new LsHttpError(400, `${at} needs itemShopID or shopID.`);
    if (shopID === '0') throw new LsHttpError(400, `${at}: the shopID 0 row is the all-shops total and cannot be set.`);
    if (!ctx.store.shops.has(shopID)) throw new LsHttpError(400, `${at}.shopID ${shopID} is not a valid Shop.`);
    if (row.qoh === undefined) return null;
    const qoh = typeof row.qoh === 'number' ? row.qoh : Number(row.qoh);
    if (!Number.isInteger(qoh)) throw new LsHttpError(400, `${at}.qoh must be an integer (got ${JSON.stringify(row.qoh)}).`);
    return { shopID, qoh };
  });
  let edited = false;
  for (const field of ['description', 'customSku', 'manufacturerSku', 'upc', 'ean'] as const) {
    const value = text(body[field], field);
    if (value !== null && value !== item[field]) {
      item[field] = value;
      edited = true;
    }
  }
  if (body.archived !== undefined && truthy(body.archived) !== item.archived) {
    item.archived = truthy(body.archived);
    edited = true;
  }
  // Stock sets leave Item.timeStamp alone; only edits of the item itself move it.
  if (edited) item.timeStamp = now;
  for (const set of sets) {
    if (!set) continue;
    ctx.store.setQoh(itemID, set.shopID, set.qoh, now);
    ctx.kit.ledger.record({ source: 'api', kind: 'stock_set', item: itemID, location: set.shopID, quantity: set.qoh, endpoint });
  }
  return item;
}
