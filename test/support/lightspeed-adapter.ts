import type { LightspeedConnection } from '../../src/pos/accounts.ts';
import { MemoryTokenStore, type TokenStore } from '../../src/pos/token-store.ts';
import { createManualClock, type Clock } from '../../src/simulators/kit/clock.ts';
import { generateSeed, type SeedFile } from '../../src/simulators/kit/seed.ts';
import { lightspeedIds, startLightspeedSimulator, type LightspeedSimulator } from '../../src/simulators/lightspeed/index.ts';
import { createLightspeedAdapter, type LightspeedAdapter } from '../../src/pos/lightspeed/index.ts';

/**
 * Test rig: the real simulator on 127.0.0.1:0 and the adapter, sharing one manual clock. The
 * adapter's sleep advances that clock, so bucket waits and Retry-After cost no real time.
 */
export interface LsRig {
  sim: LightspeedSimulator;
  clock: Clock;
  seed: SeedFile;
  tokenStore: MemoryTokenStore;
  connection: LightspeedConnection;
  adapter: LightspeedAdapter;
  /** Another adapter on the same simulator (a restart, a second process). */
  newAdapter(overrides?: Partial<LightspeedConnection>, store?: TokenStore): LightspeedAdapter;
  /** Distinct POS sales (saleIDs) applied through the API with this reference. */
  salesRecorded(reference: string): number;
  statuses(): string[];
  close(): Promise<void>;
}

export interface RigOptions {
  items?: number;
  locations?: number;
  seed?: SeedFile;
  switches?: Record<string, string>;
  /** Which seeded shop the connection uses (0-based). */
  shopIndex?: number;
  connection?: Partial<LightspeedConnection>;
}

export async function startRig(options: RigOptions = {}): Promise<LsRig> {
  const clock = createManualClock();
  const seed = options.seed ?? generateSeed({ items: options.items ?? 250, locations: options.locations ?? 2, ids: lightspeedIds });
  const sim = await startLightspeedSimulator({ seed, clock, switches: options.switches });
  const creds = sim.credentials() as Record<string, unknown>;
  const shopIds = creds.shopIds as string[];
  const shopId = shopIds[options.shopIndex ?? 0]!;
  const register = [...sim.store.registers.values()].find((r) => r.shopID === shopId)!;
  const connection: LightspeedConnection = {
    pos: 'lightspeed',
    // The simulator hands out …/API/V3; the config default is the bare host. Both must work.
    apiBaseUrl: String(creds.apiBaseUrl),
    tokenUrl: String(creds.tokenUrl),
    accountId: String(creds.accountID),
    clientId: String(creds.clientId),
    clientSecret: String(creds.clientSecret),
    refreshToken: String(creds.refreshToken),
    shopId,
    employeeId: String(creds.employeeID),
    registerId: register.registerID,
    paymentTypeId: String(creds.paymentTypeID),
    ...options.connection,
  };
  const tokenStore = new MemoryTokenStore();
  const deps = (store: TokenStore) => ({
    tokenStore: store,
    now: clock.now,
    sleep: async (ms: number) => clock.advance(ms),
    timeoutMs: 30_000,
  });
  const newAdapter = (overrides: Partial<LightspeedConnection> = {}, store: TokenStore = tokenStore) =>
    createLightspeedAdapter({ ...connection, ...overrides }, deps(store));
  return {
    sim,
    clock,
    seed,
    tokenStore,
    connection,
    adapter: newAdapter(),
    newAdapter,
    salesRecorded: (reference) =>
      new Set(sim.kit.ledger.list({ source: 'api', kind: 'sale', reference }).map((e) => e.posId)).size,
    statuses: () => Object.values(sim.kit.stats.snapshot().endpoints).flatMap((e) => Object.keys(e.statuses)),
    close: () => sim.close(),
  };
}

export const ENDPOINTS = {
  itemShops: 'GET /API/V3/Account/:accountID/ItemShop.json',
  items: 'GET /API/V3/Account/:accountID/Item.json',
  sales: 'GET /API/V3/Account/:accountID/Sale.json',
  postSale: 'POST /API/V3/Account/:accountID/Sale.json',
} as const;
