import { notFound } from './errors.ts';
import { pathInt } from './fields.ts';
import { page, type RouteContext, type RouteSpec } from './routing.ts';
import { productView, stockRowView } from './views.ts';

type Params = Record<string, string | undefined>;

/** Products, stock, warehouses and stores: the read side an adapter polls. */
export function catalogRoutes({ store, switches }: RouteContext): RouteSpec[] {
  const activeProducts = () => [...store.products.values()].filter((p) => p.arch === 0).sort((a, b) => a.id - b.id);
  const rows = (filter: Parameters<typeof store.stockRows>[0]) => store.stockRows(filter).map((row) => stockRowView(store, row));

  return [
    {
      method: 'GET',
      path: '/products/',
      handler: async (request, reply) => page(request, reply, activeProducts().map(productView)),
    },
    {
      method: 'GET',
      path: '/products/:product_id',
      handler: async (request) => {
        const id = pathInt((request.params as Params).product_id, 'product_id');
        const product = store.product(id);
        // A one-element array, with the product's stock rows in every warehouse.
        return [{ ...productView(product), stock_available: rows({ productId: id }) }];
      },
    },
    {
      method: 'GET',
      path: '/products/search/barcode/:barcode/',
      handler: async (request) => {
        const barcode = (request.params as Params).barcode ?? '';
        const hits: unknown[] = [];
        for (const product of activeProducts()) {
          if (product.barcode === barcode) hits.push({ ...productView(product), product_size: 0 });
          for (const size of product.sizes) if (size.barcode === barcode) hits.push({ ...productView(product), product_size: size.sizeId });
        }
        return hits;
      },
    },
    {
      method: 'GET',
      path: '/products/search/name/:name',
      handler: async (request) => {
        // Case-insensitive "contains" on product_model.
        const needle = ((request.params as Params).name ?? '').toLowerCase();
        return activeProducts()
          .filter((p) => needle !== '' && p.model.toLowerCase().includes(needle))
          .map(productView);
      },
    },
    {
      method: 'GET',
      path: '/stock_available/warehouse_id/:warehouse_id',
      handler: async (request, reply) => {
        const id = pathInt((request.params as Params).warehouse_id, 'warehouse_id');
        if (!store.hasWarehouse(id)) throw notFound('Warehouse', { warehouse_id: `Unknown warehouse ${id}` });
        const all = rows({ warehouseId: id });
        // Whether this route pages is UNCONFIRMED: one call returns everything unless the switch says 250.
        return switches.stockPaging === '250' ? page(request, reply, all) : all;
      },
    },
    {
      method: 'GET',
      path: '/stock_available/all_wh/',
      handler: async (request, reply) => {
        const all = rows({});
        return switches.stockPaging === '250' ? page(request, reply, all) : all;
      },
    },
    {
      method: 'GET',
      path: '/stock_available/product_id/:product_id',
      handler: async (request) => rows({ productId: pathInt((request.params as Params).product_id, 'product_id') }),
    },
    {
      method: 'GET',
      path: '/stock_available/product_id_size/:product_id/:product_size',
      handler: async (request) => {
        const params = request.params as Params;
        return rows({ productId: pathInt(params.product_id, 'product_id'), size: pathInt(params.product_size, 'product_size') });
      },
    },
    {
      method: 'GET',
      path: '/warehouses',
      handler: async () => store.warehouses.map((w) => ({ warehouse_id: w.id, warehouse_name: w.name })),
    },
    {
      method: 'GET',
      path: '/stores',
      handler: async () => store.stores.map((s) => ({ store_id: s.id, store_name: s.name, warehouse_id: s.warehouseId })),
    },
  ];
}
