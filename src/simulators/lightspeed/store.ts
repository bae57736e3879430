import type { SeedFile } from '../kit/seed.ts';

/** The account's records as plain data; rendering to Lightspeed JSON lives in render.ts. */
export interface ItemRecord {
  itemID: string;
  description: string;
  systemSku: string;
  customSku: string;
  manufacturerSku: string;
  upc: string;
  ean: string;
  priceCents: number;
  archived: boolean;
  createTime: number;
  /** Moves only when the item itself is edited, never on stock moves (a real API quirk). */
  timeStamp: number;
}

export interface ItemShopRecord {
  itemShopID: string;
  itemID: string;
  /** "0" is the all-shops total row, kept equal to the sum of the other rows. */
  shopID: string;
  qoh: number;
  timeStamp: number;
}

export interface ShopRecord {
  shopID: string;
  name: string;
  timeStamp: number;
}

export interface RegisterRecord {
  registerID: string;
  name: string;
  shopID: string;
}

export interface EmployeeRecord {
  employeeID: string;
  firstName: string;
  lastName: string;
}

export interface PaymentTypeRecord {
  paymentTypeID: string;
  name: string;
  code: string;
}

export interface SaleLineRecord {
  saleLineID: string;
  itemID: string;
  unitQuantity: number;
  unitPriceCents: number;
  taxed: boolean;
  taxCents: number;
  createTime: number;
}

export interface SalePaymentRecord {
  salePaymentID: string;
  paymentTypeID: string;
  amountCents: number;
  createTime: number;
}

export interface SaleRecord {
  saleID: string;
  shopID: string;
  registerID: string;
  employeeID: string;
  customerID: string;
  completed: boolean;
  referenceNumber: string;
  referenceNumberSource: string;
  taxRatePercent: number;
  createTime: number;
  completeTime: number | null;
  timeStamp: number;
  lines: SaleLineRecord[];
  payments: SalePaymentRecord[];
}

const DEFAULT_PAYMENT_TYPES: Array<[string, string]> = [
  ['Cash', 'cash'],
  ['Check', 'check'],
  ['Credit Card', 'credit card'],
  ['Credit Account', 'credit account'],
  ['Gift Card', 'gift card'],
];

const positiveId = /^[1-9][0-9]*$/;

/** Lightspeed ids are positive integers; refuse a seed that would make sorting and IN lists lie. */
export function checkLightspeedSeed(seed: SeedFile): void {
  const bad = [
    ...seed.locations.filter((l) => !positiveId.test(l.id)).map((l) => `location "${l.id}"`),
    ...seed.items.filter((i) => !positiveId.test(i.id)).map((i) => `item "${i.id}"`),
  ];
  if (bad.length > 0) {
    throw new RangeError(`the Lightspeed simulator needs numeric ids (1, 2, …; shop 0 is the all-shops row): ${bad.join(', ')}`);
  }
}

export class LightspeedStore {
  readonly items = new Map<string, ItemRecord>();
  readonly itemShops = new Map<string, ItemShopRecord>();
  readonly shops = new Map<string, ShopRecord>();
  readonly registers = new Map<string, RegisterRecord>();
  readonly employees = new Map<string, EmployeeRecord>();
  readonly paymentTypes = new Map<string, PaymentTypeRecord>();
  readonly sales = new Map<string, SaleRecord>();
  private readonly rowsByItem = new Map<string, Map<string, ItemShopRecord>>();
  private nextItemShopId = 1;
  private nextSaleId = 1;
  private nextSaleLineId = 1;
  private nextSalePaymentId = 1;

  constructor(seed: SeedFile, now: number) {
    const seededAt = now - 86_400_000;
    seed.locations.forEach((location, i) => {
      this.shops.set(location.id, { shopID: location.id, name: location.name, timeStamp: seededAt });
      const registerID = String(i + 1);
      this.registers.set(registerID, { registerID, name: `Register ${registerID}`, shopID: location.id });
    });
    this.employees.set('1', { employeeID: '1', firstName: 'Sim', lastName: 'Employee' });
    this.employees.set('2', { employeeID: '2', firstName: 'Second', lastName: 'Clerk' });
    DEFAULT_PAYMENT_TYPES.forEach(([name, code], i) => {
      const paymentTypeID = String(i + 1);
      this.paymentTypes.set(paymentTypeID, { paymentTypeID, name, code });
    });
    for (const item of seed.items) {
      const padded = item.id.padStart(10, '0');
      this.items.set(item.id, {
        itemID: item.id,
        description: item.name,
        systemSku: `21${padded}`,
        customSku: item.sku ?? '',
        manufacturerSku: '',
        upc: `4${padded.slice(-11).padStart(11, '0')}`,
        ean: '',
        priceCents: item.priceCents,
        archived: false,
        createTime: seededAt,
        timeStamp: seededAt,
      });
      // The total row first, so its itemShopID is the lowest of the item (as in real accounts).
      this.addRow(item.id, '0', 0, seededAt);
      for (const location of seed.locations) {
        const quantity = item.stock[location.id];
        if (quantity !== undefined) this.addRow(item.id, location.id, quantity, seededAt);
      }
      this.refreshTotal(item.id, seededAt);
    }
  }

  /** The item's rows, total row included, ordered by itemShopID. */
  rowsOf(itemID: string): ItemShopRecord[] {
    return [...(this.rowsByItem.get(itemID)?.values() ?? [])].sort((a, b) => Number(a.itemShopID) - Number(b.itemShopID));
  }

  row(itemID: string, shopID: string): ItemShopRecord | undefined {
    return this.rowsByItem.get(itemID)?.get(shopID);
  }

  /** null when the shop never counted the item (no ItemShop row). */
  qoh(itemID: string, shopID: string): number | null {
    return this.row(itemID, shopID)?.qoh ?? null;
  }

  /** Sets an absolute count, creating the row when the shop never counted the item. */
  setQoh(itemID: string, shopID: string, quantity: number, now: number): ItemShopRecord {
    if (shopID === '0') throw new RangeError('the shopID 0 row is a derived total and cannot be set');
    const row = this.row(itemID, shopID) ?? this.addRow(itemID, shopID, 0, now);
    row.qoh = quantity;
    row.timeStamp = now;
    this.refreshTotal(itemID, now);
    return row;
  }

  moveStock(itemID: string, shopID: string, delta: number, now: number): ItemShopRecord {
    return this.setQoh(itemID, shopID, (this.qoh(itemID, shopID) ?? 0) + delta, now);
  }

  newSaleId(): string {
    return String(this.nextSaleId++);
  }

  newSaleLineId(): string {
    return String(this.nextSaleLineId++);
  }

  newSalePaymentId(): string {
    return String(this.nextSalePaymentId++);
  }

  private addRow(itemID: string, shopID: string, qoh: number, now: number): ItemShopRecord {
    const row: ItemShopRecord = { itemShopID: String(this.nextItemShopId++), itemID, shopID, qoh, timeStamp: now };
    this.itemShops.set(row.itemShopID, row);
    let rows = this.rowsByItem.get(itemID);
    if (!rows) {
      rows = new Map();
      this.rowsByItem.set(itemID, rows);
    }
    rows.set(shopID, row);
    return row;
  }

  private refreshTotal(itemID: string, now: number): void {
    const rows = this.rowsByItem.get(itemID);
    const total = rows?.get('0');
    if (!rows || !total) return;
    let sum = 0;
    for (const [shopID, row] of rows) if (shopID !== '0') sum += row.qoh;
    if (total.qoh !== sum || total.timeStamp < now) {
      total.qoh = sum;
      total.timeStamp = now;
    }
  }
}
