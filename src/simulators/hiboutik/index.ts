import { buildSimulatorApp, createKit, listen, SimAdminError, type SimulatorDefinition } from '../kit/server.ts';
import { checkSwitches, readNumberSwitch, readSwitch, type Simulator, type SimulatorOptions } from '../kit/options.ts';
import { generateSeed, type IdStyle, type SeedFile } from '../kit/seed.ts';
import { hiboutikErrorReply } from './errors.ts';
import { Guard, type HiboutikCredentials, type QuotaSnapshot } from './guard.ts';
import { createNotifier, parseForm } from './notify.ts';
import { catalogRoutes } from './routes-catalog.ts';
import { orderRoutes } from './routes-orders.ts';
import { mountRoutes, type RouteContext } from './routing.ts';
import { salesRoutes } from './routes-sales.ts';
import { HiboutikStore } from './store.ts';
import {
  NEGATIVE_STOCK_ORDERS,
  OUT_OF_STOCK,
  parseItemName,
  RIGHTS,
  STOCK_DECREMENT_POINTS,
  STOCK_PAGING,
  SWITCH_NAMES,
  type HiboutikSwitches,
} from './types.ts';

export type { HiboutikCredentials, QuotaSnapshot } from './guard.ts';
export type { HiboutikSwitches } from './types.ts';

export interface HiboutikSimulatorOptions extends SimulatorOptions {
  /** The account name (the `{account}` of `{account}.hiboutik.com`); default "possync-demo". */
  account?: string;
}

export interface HiboutikSimulator extends Simulator {
  credentials(): HiboutikCredentials;
  switches: Readonly<HiboutikSwitches>;
  /** Monthly quota and concurrency counters (also at GET /__sim/quota). */
  quota(): QuotaSnapshot;
  /** API calls in flight right now, as the concurrency cap counts them. */
  inFlight(): number;
  store: HiboutikStore;
}

/** Hiboutik ids are plain numbers: products 1, 2, … and warehouses (= stores) 1, 2, … */
export const HIBOUTIK_IDS: IdStyle = {
  item: (index) => String(index + 1),
  location: (index) => String(index + 1),
};

export function readHiboutikSwitches(switches: Record<string, string> | undefined): HiboutikSwitches {
  checkSwitches(switches, SWITCH_NAMES, 'hiboutik');
  const positive = (name: string, fallback: number) => {
    const value = readNumberSwitch(switches, name, fallback);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`switch ${name} must be a positive integer (got "${switches?.[name]}")`);
    return value;
  };
  return {
    stockDecrementAt: readSwitch(switches, 'stockDecrementAt', STOCK_DECREMENT_POINTS, 'add_product'),
    stockPaging: readSwitch(switches, 'stockPaging', STOCK_PAGING, 'off'),
    monthlyQuota: positive('monthlyQuota', 10_000),
    maxConcurrent: positive('maxConcurrent', 30),
    rights: readSwitch(switches, 'rights', RIGHTS, 'all'),
    outOfStock: readSwitch(switches, 'outOfStock', OUT_OF_STOCK, 'reject'),
    negativeStockOrders: readSwitch(switches, 'negativeStockOrders', NEGATIVE_STOCK_ORDERS, 'accept'),
  };
}

export async function startHiboutikSimulator(options: HiboutikSimulatorOptions = {}): Promise<HiboutikSimulator> {
  const switches = readHiboutikSwitches(options.switches);
  const kit = createKit(options);
  const seed: SeedFile = options.seed ?? generateSeed({ items: options.items ?? 20, locations: options.locations ?? 2, ids: HIBOUTIK_IDS, randomSeed: options.randomSeed });

  const account = seed.credentials?.account ?? options.account ?? 'possync-demo';
  const credentials = (): HiboutikCredentials => ({
    account,
    email: seed.credentials?.email ?? `api@${account}.example`,
    apiKey: seed.credentials?.apiKey ?? 'HBK-sim-2b7e151628aed2a6abf71588',
    bearerToken: seed.credentials?.bearerToken ?? 'hbt-sim-3243f6a8885a308d313198a2e0',
    storeIds: store.stores.map((s) => String(s.id)),
    warehouseIds: store.warehouses.map((w) => String(w.id)),
    // Not checked by the simulator (Hiboutik signs nothing): the value an adapter may put in ?k=.
    webhookSecret: seed.credentials?.webhookSecret ?? 'whk-sim-9e3779b97f4a7c15',
  });

  // The store reports closes and validations; the notifier turns them into webhook deliveries.
  let notifier: ReturnType<typeof createNotifier> | null = null;
  const store = new HiboutikStore(seed, {
    clock: kit.clock,
    ledger: kit.ledger,
    switches,
    events: {
      saleClosed: (sale) => notifier?.saleClosed(sale),
      stockOrderValidated: (input) => notifier?.stockOrderValidated(input),
    },
  });
  notifier = createNotifier(store, kit.webhooks);
  const guard = new Guard(kit.clock, switches, credentials);
  const canonical = new Map<string, string>();
  const context: RouteContext = { store, kit, switches, settleWebhooks: (action) => notifier?.settle(action) ?? Promise.resolve() };

  const resolve = (item: string, location: string) => {
    const parsed = parseItemName(item);
    if (!parsed || !store.products.has(parsed.productId)) throw new SimAdminError(404, `unknown item ${JSON.stringify(item)}`);
    const warehouseId = Number(location);
    if (!store.hasWarehouse(warehouseId)) throw new SimAdminError(404, `unknown location ${JSON.stringify(location)}`);
    return { ...parsed, warehouseId };
  };

  const definition: SimulatorDefinition = {
    name: 'hiboutik',
    errorReply: hiboutikErrorReply,
    endpointKey: (method, url) => canonical.get(`${method} ${url}`) ?? `${method} ${url}`,
    async routes(scope) {
      // Form bodies with PHP bracket arrays, as the official PHP client sends them.
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, parseForm(body as string));
      });
      scope.addHook('onRequest', guard.hook);
      mountRoutes(scope, [...catalogRoutes(context), ...salesRoutes(context), ...orderRoutes(context)], canonical);
    },
    inventory: {
      itemIds: () =>
        [...store.products.values()].flatMap((p) => (p.sizes.length === 0 ? [String(p.id)] : p.sizes.map((s) => `${p.id}:${s.sizeId}`))),
      locationIds: () => store.warehouses.map((w) => String(w.id)),
      quantity: (item, location) => {
        const { productId, size, warehouseId } = resolve(item, location);
        return store.quantity(productId, size, warehouseId);
      },
      adjust: (item, location, delta) => {
        if (!Number.isInteger(delta)) throw new SimAdminError(400, 'delta must be an integer');
        const { productId, size, warehouseId } = resolve(item, location);
        if (delta < 0) {
          // An in-store sale at the till: a full sale, so the `sale` webhook fires as it would.
          const till = store.stores.find((s) => s.warehouseId === warehouseId);
          if (!till) throw new SimAdminError(404, `no store sells from warehouse ${warehouseId}`);
          const sale = store.createSale({ storeId: till.id, customerId: 0, vendorId: 1, currency: 'EUR', pricesWithoutTaxes: 0, dutyFreeSale: 0 });
          store.addLine(sale.id, { productId, size, quantity: -delta, withdrawal: 1, comments: '' }, { source: 'in_store' });
          store.closeSale(sale.id, { source: 'in_store' });
        } else if (delta > 0) {
          // A delivery received in store: a validated stock order (fires `stock_order`).
          const input = store.createInput(warehouseId, 'Delivery');
          store.addDetail(input.id, { productId, size, quantity: delta }, false);
          store.validateInput(input.id, { source: 'in_store' });
        }
      },
      set: (item, location, quantity) => {
        const { productId, size, warehouseId } = resolve(item, location);
        store.countInStore(productId, size, warehouseId, quantity);
      },
      defaultLocation: () => String(store.warehouses[0]?.id ?? ''),
      hasItem: (item) => {
        const parsed = parseItemName(item);
        const product = parsed ? store.products.get(parsed.productId) : undefined;
        if (!parsed || !product) return false;
        return parsed.size === 0 ? product.sizes.length === 0 : product.sizes.some((s) => s.sizeId === parsed.size);
      },
      hasLocation: (location) => /^\d+$/.test(location) && store.hasWarehouse(Number(location)),
    },
    credentials,
    reset: () => {
      store.reset();
      guard.reset();
    },
    adminRoutes(admin) {
      admin.get('/quota', async () => guard.snapshot());
      admin.get('/switches', async () => switches);
    },
  };

  const app = await buildSimulatorApp(definition, kit);
  guard.attach(app.server);
  const running = await listen(app, { host: options.host, port: options.port });
  return {
    ...running,
    name: 'hiboutik',
    kit,
    credentials,
    switches,
    quota: () => guard.snapshot(),
    inFlight: () => guard.inFlight(),
    store,
  };
}
