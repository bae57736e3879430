import { invalid } from './errors.ts';
import { asBody, intField, intFieldAny, pathInt, priceField, textField } from './fields.ts';
import type { RouteContext, RouteSpec } from './routing.ts';
import { saleView } from './views.ts';

type Params = Record<string, string | undefined>;

const flag = (value: number, name: string): 0 | 1 => {
  if (value !== 0 && value !== 1) throw invalid(`Parameter ${name} must be 0 or 1`, { [name]: 'This field must be 0 or 1' });
  return value;
};

/** Sales: create, add lines, set attributes (ext_ref), close, read and search. */
export function salesRoutes({ store, settleWebhooks }: RouteContext): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/sales/',
      handler: async (request, reply) => {
        const body = asBody(request.body);
        const sale = store.createSale({
          storeId: intField(body, 'store_id'),
          customerId: intField(body, 'customer_id', 0),
          vendorId: intField(body, 'vendor_id', 1),
          currency: textField(body, 'currency_code', 'EUR'),
          pricesWithoutTaxes: flag(intField(body, 'prices_without_taxes', 0), 'prices_without_taxes'),
          dutyFreeSale: flag(intField(body, 'duty_free_sale', 0), 'duty_free_sale'),
        });
        return reply.code(201).send({ sale_id: sale.id });
      },
    },
    {
      method: 'POST',
      path: '/sales/add_product/',
      handler: async (request, reply, endpoint) => {
        const body = asBody(request.body);
        const line = store.addLine(
          intField(body, 'sale_id'),
          {
            productId: intField(body, 'product_id'),
            size: intFieldAny(body, ['size_id', 'product_size'], 0),
            quantity: intField(body, 'quantity', 1),
            priceCents: priceField(body, 'product_price'),
            withdrawal: flag(intField(body, 'stock_withdrawal', 1), 'stock_withdrawal'),
            comments: textField(body, 'product_comments', ''),
          },
          { source: 'api', endpoint },
        );
        // v1 clients read id_sale_product_detail; later ones line_item_id: both carry the line's id.
        return reply.code(201).send({ id_sale_product_detail: line.id, line_item_id: line.id });
      },
    },
    {
      method: 'POST',
      path: '/sales/close/',
      handler: async (request, _reply, endpoint) => {
        const sale = store.closeSale(intField(asBody(request.body), 'sale_id'), { source: 'api', endpoint });
        await settleWebhooks('sale');
        return { sale_id: sale.id };
      },
    },
    {
      method: 'PUT',
      path: '/sale/:sale_id',
      handler: async (request) => {
        const body = asBody(request.body);
        const attribute = textField(body, 'sale_attribute');
        const value = textField(body, 'new_value', '');
        const sale = store.setSaleAttribute(pathInt((request.params as Params).sale_id, 'sale_id'), attribute, value);
        return { sale_id: sale.id, sale_attribute: attribute, new_value: value };
      },
    },
    {
      method: 'GET',
      path: '/sales/:sale_id',
      handler: async (request) => [saleView(store, store.sale(pathInt((request.params as Params).sale_id, 'sale_id')))],
    },
    {
      method: 'GET',
      path: '/sales/search/ext_ref/:ext_ref',
      handler: async (request) => store.searchByExtRef((request.params as Params).ext_ref ?? '').map((sale) => saleView(store, sale)),
    },
    {
      method: 'GET',
      path: '/open_sales/:store_id',
      handler: async (request) => {
        const storeId = pathInt((request.params as Params).store_id, 'store_id');
        return [...store.sales.values()].filter((s) => s.storeId === storeId && s.completedAt === null).map((s) => saleView(store, s));
      },
    },
    {
      method: 'GET',
      path: '/closed_sales/:store_id/:yyyy/:mm/:dd',
      handler: async (request) => {
        const params = request.params as Params;
        const storeId = pathInt(params.store_id, 'store_id');
        const day = `${pathInt(params.yyyy, 'yyyy')}-${String(pathInt(params.mm, 'mm')).padStart(2, '0')}-${String(pathInt(params.dd, 'dd')).padStart(2, '0')}`;
        return [...store.sales.values()]
          .filter((s) => s.storeId === storeId && s.completedAt !== null && new Date(s.completedAt).toISOString().slice(0, 10) === day)
          .map((s) => saleView(store, s));
      },
    },
  ];
}
