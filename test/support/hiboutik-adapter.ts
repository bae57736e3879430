import type { HiboutikConnection } from '../../src/pos/accounts.ts';
import { MemoryBudgetStore } from '../../src/pos/call-budget.ts';
import type { AdapterDeps } from '../../src/pos/deps.ts';
import { MemoryTokenStore } from '../../src/pos/token-store.ts';
import { createManualClock } from '../../src/simulators/kit/clock.ts';
import type { SeedFile } from '../../src/simulators/kit/seed.ts';
import { startHiboutikSimulator, type HiboutikSimulator } from '../../src/simulators/hiboutik/index.ts';
import { createHiboutikAdapter, parseItemId, type HiboutikAdapter } from '../../src/pos/hiboutik/index.ts';

/** Test helpers (not a test file): the real simulator on 127.0.0.1:0 and an adapter pointed at it. */
export interface Rig {
  sim: HiboutikSimulator;
  adapter: HiboutikAdapter;
  connection: HiboutikConnection;
  budgetStore: MemoryBudgetStore;
  onHand(posItemId: string): number | null;
  salesRecorded(saleId: string): number;
  /** Requests the simulator saw on one stats key, e.g. "GET /api/products/". */
  requests(endpoint: string): number;
  /** A fresh adapter on the same simulator (a restarted worker). */
  restart(overrides?: Partial<HiboutikConnection>): HiboutikAdapter;
  close(): Promise<void>;
}

export interface RigOptions {
  items?: number;
  seed?: SeedFile;
  switches?: Record<string, string>;
  connection?: Partial<HiboutikConnection>;
  deps?: Partial<AdapterDeps>;
}


export const ENDPOINTS = {
  stock: 'GET /api/stock_available/warehouse_id/:warehouse_id',
  products: 'GET /api/products/',
  product: 'GET /api/products/:product_id',
  create: 'POST /api/sales/',
  tag: 'PUT /api/sale/:sale_id',
  add: 'POST /api/sales/add_product/',
  close: 'POST /api/sales/close/',
  read: 'GET /api/sales/:sale_id',
  search: 'GET /api/sales/search/ext_ref/:ext_ref',
} as const;

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const sim = await startHiboutikSimulator({
    clock: createManualClock(),
    webhookRetryDelaysMs: [5, 5],
    items: options.items ?? 20,
    locations: 2,
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.switches ? { switches: options.switches } : {}),
  });
  const credentials = sim.credentials();
  const connection: HiboutikConnection = {
    pos: 'hiboutik',
    baseUrl: `${sim.url}/api`,
    accountName: credentials.account,
    email: credentials.email,
    apiKey: credentials.apiKey,
    storeId: '1',
    warehouseId: '1',
    maximumRequests: 10_000,
    reserveForSales: 100,
    ...options.connection,
  };
  const budgetStore = new MemoryBudgetStore();
  const make = (overrides: Partial<HiboutikConnection> = {}) =>
    createHiboutikAdapter(
      { ...connection, ...overrides },
      // No real waits: retries are decided, not slept through.
      { tokenStore: new MemoryTokenStore(), budgetStore, now: sim.kit.clock.now, sleep: async () => undefined, timeoutMs: 30_000, ...options.deps },
    );
  return {
    sim,
    adapter: make(),
    connection,
    budgetStore,
    onHand: (posItemId) => {
      const ref = parseItemId(posItemId);
      return ref ? sim.store.quantity(ref.productId, ref.size, Number(connection.warehouseId)) : null;
    },
    salesRecorded: (saleId) => sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: saleId }).length,
    requests: (endpoint) => sim.kit.stats.requestsTo(endpoint),
    restart: make,
    close: () => sim.close(),
  };
}
