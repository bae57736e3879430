import { lsTime, money, relation } from './format.ts';
import type { EntitySpec, FieldSpec } from './query.ts';
import type {
  EmployeeRecord,
  ItemRecord,
  ItemShopRecord,
  LightspeedStore,
  PaymentTypeRecord,
  RegisterRecord,
  SaleLineRecord,
  SalePaymentRecord,
  SaleRecord,
  ShopRecord,
} from './store.ts';

/** Searchable/sortable fields of each entity and how each record is drawn (before stringifying). */
const f = <T>(type: FieldSpec<T>['type'], get: FieldSpec<T>['get']): FieldSpec<T> => ({ type, get });

export const itemShopSpec: EntitySpec<ItemShopRecord> = {
  name: 'ItemShop',
  key: 'itemShopID',
  fields: {
    itemShopID: f('id', (r) => r.itemShopID),
    itemID: f('id', (r) => r.itemID),
    shopID: f('id', (r) => r.shopID),
    qoh: f('number', (r) => r.qoh),
    timeStamp: f('time', (r) => r.timeStamp),
  },
  sortable: ['itemShopID', 'timeStamp'],
  relations: {},
};

export function itemSpec(store: () => LightspeedStore): EntitySpec<ItemRecord> {
  return {
    name: 'Item',
    key: 'itemID',
    fields: {
      itemID: f('id', (r) => r.itemID),
      description: f('string', (r) => r.description),
      systemSku: f('string', (r) => r.systemSku),
      customSku: f('string', (r) => r.customSku),
      manufacturerSku: f('string', (r) => r.manufacturerSku),
      upc: f('string', (r) => r.upc),
      ean: f('string', (r) => r.ean),
      itemType: f('string', () => 'default'),
      itemMatrixID: f('id', () => 0),
      timeStamp: f('time', (r) => r.timeStamp),
      createTime: f('time', (r) => r.createTime),
    },
    sortable: ['itemID', 'description', 'systemSku', 'customSku', 'upc', 'ean', 'timeStamp', 'createTime'],
    relations: {
      ItemShops: {
        many: true,
        fields: itemShopSpec.fields as EntitySpec<unknown>['fields'],
        rows: (item) => store().rowsOf(item.itemID),
      },
    },
    archived: (r) => r.archived,
  };
}

export const shopSpec: EntitySpec<ShopRecord> = {
  name: 'Shop',
  key: 'shopID',
  fields: { shopID: f('id', (r) => r.shopID), name: f('string', (r) => r.name), timeStamp: f('time', (r) => r.timeStamp) },
  sortable: ['shopID', 'name', 'timeStamp'],
  relations: {},
};

export const registerSpec: EntitySpec<RegisterRecord> = {
  name: 'Register',
  key: 'registerID',
  fields: { registerID: f('id', (r) => r.registerID), name: f('string', (r) => r.name), shopID: f('id', (r) => r.shopID) },
  sortable: ['registerID', 'name'],
  relations: {},
};

export const employeeSpec: EntitySpec<EmployeeRecord> = {
  name: 'Employee',
  key: 'employeeID',
  fields: { employeeID: f('id', (r) => r.employeeID), firstName: f('string', (r) => r.firstName), lastName: f('string', (r) => r.lastName) },
  sortable: ['employeeID', 'firstName', 'lastName'],
  relations: {},
};

export const paymentTypeSpec: EntitySpec<PaymentTypeRecord> = {
  name: 'PaymentType',
  key: 'paymentTypeID',
  fields: { paymentTypeID: f('id', (r) => r.paymentTypeID), name: f('string', (r) => r.name), code: f('string', (r) => r.code) },
  sortable: ['paymentTypeID', 'name'],
  relations: {},
};

export const saleSpec: EntitySpec<SaleRecord> = {
  name: 'Sale',
  key: 'saleID',
  fields: {
    saleID: f('id', (r) => r.saleID),
    shopID: f('id', (r) => r.shopID),
    registerID: f('id', (r) => r.registerID),
    employeeID: f('id', (r) => r.employeeID),
    customerID: f('id', (r) => r.customerID),
    completed: f('bool', (r) => r.completed),
    referenceNumber: f('string', (r) => r.referenceNumber),
    referenceNumberSource: f('string', (r) => r.referenceNumberSource),
    timeStamp: f('time', (r) => r.timeStamp),
    createTime: f('time', (r) => r.createTime),
    completeTime: f('time', (r) => r.completeTime ?? 0),
  },
  sortable: ['saleID', 'timeStamp', 'createTime', 'completeTime'],
  relations: { SaleLines: { many: true }, SalePayments: { many: true } },
};

export function renderItemShop(r: ItemShopRecord) {
  return {
    itemShopID: r.itemShopID,
    qoh: r.qoh,
    sellable: r.qoh,
    backorder: 0,
    componentQoh: 0,
    componentBackorder: 0,
    reorderPoint: 0,
    reorderLevel: 0,
    timeStamp: lsTime(r.timeStamp),
    itemID: r.itemID,
    shopID: r.shopID,
    onLayaway: 0,
    onSpecialOrder: 0,
    onWorkOrder: 0,
    onTransferOut: 0,
    onTransferIn: 0,
    averageCost: 0,
  };
}

export function renderItem(r: ItemRecord, store: LightspeedStore, relations: readonly string[]) {
  const price = money(r.priceCents);
  return {
    itemID: r.itemID,
    systemSku: r.systemSku,
    defaultCost: '0.00',
    avgCost: '0.00',
    discountable: true,
    tax: true,
    archived: r.archived,
    itemType: 'default',
    serialized: false,
    description: r.description,
    modelYear: 0,
    upc: r.upc,
    ean: r.ean,
    customSku: r.customSku,
    manufacturerSku: r.manufacturerSku,
    createTime: lsTime(r.createTime),
    timeStamp: lsTime(r.timeStamp),
    publishToEcom: false,
    categoryID: 0,
    taxClassID: 1,
    departmentID: 0,
    itemMatrixID: 0,
    manufacturerID: 0,
    seasonID: 0,
    defaultVendorID: 0,
    ItemShops: relations.includes('ItemShops') ? relation('ItemShop', store.rowsOf(r.itemID).map(renderItemShop)) : undefined,
    Prices: relation('ItemPrice', [
      { amount: price, useTypeID: 1, useType: 'Default' },
      { amount: price, useTypeID: 2, useType: 'MSRP' },
    ]),
  };
}

export function renderShop(r: ShopRecord) {
  return { shopID: r.shopID, name: r.name, serviceRate: '0', timeZone: 'UTC', taxLabor: false, archived: false, timeStamp: lsTime(r.timeStamp), taxCategoryID: 0, priceLevelID: 1 };
}

export function renderRegister(r: RegisterRecord) {
  return { registerID: r.registerID, name: r.name, open: true, archived: false, shopID: r.shopID };
}

export function renderEmployee(r: EmployeeRecord) {
  return { employeeID: r.employeeID, firstName: r.firstName, lastName: r.lastName, lockOut: false, archived: false };
}

export function renderPaymentType(r: PaymentTypeRecord) {
  return { paymentTypeID: r.paymentTypeID, name: r.name, code: r.code, requireCustomer: false, archived: false, internalReserved: true, type: r.code };
}

export interface SaleTotals {
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  paymentsCents: number;
}

export function saleTotals(sale: Pick<SaleRecord, 'lines' | 'payments'>): SaleTotals {
  const subtotalCents = sale.lines.reduce((sum, l) => sum + l.unitPriceCents * l.unitQuantity, 0);
  const taxCents = sale.lines.reduce((sum, l) => sum + l.taxCents, 0);
  const paymentsCents = sale.payments.reduce((sum, p) => sum + p.amountCents, 0);
  return { subtotalCents, taxCents, totalCents: subtotalCents + taxCents, paymentsCents };
}

function renderSaleLine(l: SaleLineRecord, sale: SaleRecord) {
  const subtotal = l.unitPriceCents * l.unitQuantity;
  return {
    saleLineID: l.saleLineID,
    createTime: lsTime(l.createTime),
    timeStamp: lsTime(sale.timeStamp),
    unitQuantity: l.unitQuantity,
    unitPrice: money(l.unitPriceCents),
    normalUnitPrice: money(l.unitPriceCents),
    discountAmount: '0.00',
    discountPercent: 0,
    avgCost: '0.00',
    fifoCost: '0.00',
    tax: l.taxed,
    tax1Rate: l.taxed ? sale.taxRatePercent / 100 : 0,
    tax2Rate: 0,
    isLayaway: false,
    isWorkorder: false,
    isSpecialOrder: false,
    calcLineDiscount: '0.00',
    calcTransactionDiscount: '0.00',
    calcSubtotal: money(subtotal),
    calcTax1: money(l.taxCents),
    calcTax2: '0.00',
    calcTotal: money(subtotal + l.taxCents),
    itemID: l.itemID,
    customerID: sale.customerID,
    employeeID: sale.employeeID,
    shopID: sale.shopID,
    saleID: sale.saleID,
    taxClassID: 1,
    discountID: 0,
    noteID: 0,
    parentSaleLineID: 0,
  };
}

function renderSalePayment(p: SalePaymentRecord, sale: SaleRecord) {
  return {
    salePaymentID: p.salePaymentID,
    amount: money(p.amountCents),
    createTime: lsTime(p.createTime),
    archived: false,
    remoteReference: '',
    paymentID: '',
    saleID: sale.saleID,
    paymentTypeID: p.paymentTypeID,
    registerID: sale.registerID,
    employeeID: sale.employeeID,
    creditAccountID: 0,
    ccChargeID: 0,
    refPaymentID: 0,
  };
}

export function renderSale(sale: SaleRecord, relations: readonly string[]) {
  const t = saleTotals(sale);
  const balance = t.totalCents - t.paymentsCents;
  return {
    saleID: sale.saleID,
    timeStamp: lsTime(sale.timeStamp),
    discountPercent: 0,
    completed: sale.completed,
    archived: false,
    voided: false,
    enablePromotions: true,
    isTaxInclusive: false,
    tipEnabled: false,
    createTime: lsTime(sale.createTime),
    updateTime: lsTime(sale.timeStamp),
    completeTime: sale.completeTime === null ? undefined : lsTime(sale.completeTime),
    referenceNumber: sale.referenceNumber,
    referenceNumberSource: sale.referenceNumberSource,
    tax1Rate: sale.taxRatePercent / 100,
    tax2Rate: 0,
    change: '0.00',
    ticketNumber: `2200000${sale.saleID.padStart(5, '0')}`,
    calcDiscount: '0.00',
    calcTotal: money(t.totalCents),
    calcSubtotal: money(t.subtotalCents),
    calcTaxable: money(sale.lines.filter((l) => l.taxed).reduce((s, l) => s + l.unitPriceCents * l.unitQuantity, 0)),
    calcNonTaxable: money(sale.lines.filter((l) => !l.taxed).reduce((s, l) => s + l.unitPriceCents * l.unitQuantity, 0)),
    calcAvgCost: '0.00',
    calcFIFOCost: '0.00',
    calcTax1: money(t.taxCents),
    calcTax2: '0.00',
    calcPayments: money(t.paymentsCents),
    total: money(t.totalCents),
    totalDue: money(t.totalCents),
    displayableTotal: money(t.totalCents),
    balance: money(balance),
    customerID: sale.customerID,
    discountID: 0,
    employeeID: sale.employeeID,
    quoteID: 0,
    registerID: sale.registerID,
    shipToID: 0,
    shopID: sale.shopID,
    taxCategoryID: 0,
    SaleLines: relations.includes('SaleLines') ? relation('SaleLine', sale.lines.map((l) => renderSaleLine(l, sale))) : undefined,
    SalePayments: relations.includes('SalePayments') ? relation('SalePayment', sale.payments.map((p) => renderSalePayment(p, sale))) : undefined,
  };
}
