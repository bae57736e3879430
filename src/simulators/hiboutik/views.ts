import { hiboutikDate, money, type DetailRecord, type InventoryInputRecord, type ProductRecord, type SaleRecord, type WebhookRecord } from './types.ts';
import type { HiboutikStore } from './store.ts';

/** JSON shapes as Hiboutik answers them: numeric ids and flags, money as "0.00" strings. */
export function productView(product: ProductRecord) {
  return {
    product_id: product.id,
    product_model: product.model,
    product_barcode: product.barcode,
    product_brand: 0,
    product_supplier: 0,
    product_price: money(product.priceCents),
    product_discount_price: '0.00',
    product_supply_price: '0.00',
    product_category: 0,
    product_size_type: product.sizes.length > 0 ? 1 : 0,
    product_package: 0,
    product_stock_management: product.stockManagement,
    product_supplier_reference: '',
    product_vat: 0,
    product_display: 1,
    product_display_www: 1,
    product_arch: product.arch,
    products_desc: '',
    products_ref_ext: '',
    product_size_details: product.sizes.map((s) => ({ size_id: s.sizeId, size_name: s.name, barcode: s.barcode })),
    product_specific_rules: [] as unknown[],
  };
}

function barcodeOf(product: ProductRecord | undefined, size: number): string {
  if (!product) return '';
  if (size === 0) return product.barcode;
  return product.sizes.find((s) => s.sizeId === size)?.barcode ?? '';
}

export function stockRowView(store: HiboutikStore, row: { productId: number; size: number; warehouseId: number; quantity: number }) {
  return {
    product_id: row.productId,
    product_size: row.size,
    warehouse_id: row.warehouseId,
    stock_available: row.quantity,
    inventory_alert: 0,
    product_barcode: barcodeOf(store.products.get(row.productId), row.size),
    product_supplier_reference: '',
  };
}

export function saleView(store: HiboutikStore, sale: SaleRecord) {
  const lineItems = sale.lines.map((line) => {
    const product = store.products.get(line.productId);
    return {
      line_item_id: line.id,
      product_id: line.productId,
      product_size: line.size,
      quantity: line.quantity,
      product_price: money(line.priceCents),
      product_currency: sale.currency,
      stock_withdrawal: line.withdrawal,
      product_comments: line.comments,
      item_total_gross: money(line.priceCents * line.quantity),
      product_model: product?.model ?? '',
      product_barcode: barcodeOf(product, line.size),
      product_stock_management: product?.stockManagement ?? 0,
    };
  });
  const totalCents = sale.lines.reduce((sum, line) => sum + line.priceCents * line.quantity, 0);
  const created = hiboutikDate(sale.createdAt);
  return {
    sale_id: sale.id,
    created_at: created,
    completed_at: sale.completedAt === null ? '0000-00-00 00:00:00' : hiboutikDate(sale.completedAt),
    store_id: sale.storeId,
    vendor_id: sale.vendorId,
    unique_sale_id: `${created.slice(0, 7)}-${sale.storeId}-${sale.id}`,
    customer_id: sale.customerId,
    currency: sale.currency,
    total: money(totalCents),
    payment: sale.payment,
    without_taxes: 0,
    prices_without_taxes: sale.pricesWithoutTaxes,
    duty_free_sale: sale.dutyFreeSale,
    sale_ext_ref: sale.extRef,
    comments: sale.comments,
    line_items: lineItems,
    sale_total_net: money(totalCents),
    sale_total_tax: '0.00',
    sale_total_gross: money(totalCents),
    sale_total_quantity: sale.lines.reduce((sum, line) => sum + line.quantity, 0),
    warehouse_id: sale.warehouseId,
  };
}

export function inputView(input: InventoryInputRecord) {
  return {
    inventory_input_id: input.id,
    stock_id: input.stockId,
    inventory_input_label: input.label,
    created_at: hiboutikDate(input.createdAt),
    validated: input.validatedAt === null ? 0 : 1,
    validated_at: input.validatedAt === null ? '0000-00-00 00:00:00' : hiboutikDate(input.validatedAt),
    details_count: input.details.length,
  };
}

export function detailView(input: InventoryInputRecord, detail: DetailRecord) {
  return {
    inventory_input_detail_id: detail.id,
    inventory_input_id: input.id,
    product_id: detail.productId,
    product_size: detail.size,
    quantity: detail.quantity,
  };
}

export function webhookView(hook: WebhookRecord) {
  return {
    webhook_id: hook.id,
    webhook_label: hook.label,
    webhook_url: hook.url,
    webhook_action: hook.action,
    webhook_app_id_int: hook.appId,
    webhook_async: hook.async,
  };
}
