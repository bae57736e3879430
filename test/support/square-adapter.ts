import type { SquareConnection } from '../../src/pos/accounts.ts';
import type { AdapterDeps } from '../../src/pos/deps.ts';
import { MemoryTokenStore } from '../../src/pos/token-store.ts';
import type { SeedFile } from '../../src/simulators/kit/seed.ts';
import { startSquareSimulator, type SquareSimulator } from '../../src/simulators/square/index.ts';
import { UNITS } from '../../src/simulators/square/quantity.ts';
import { createSquareAdapter, type SquareAdapter } from '../../src/pos/square/index.ts';

/** Test helpers (not a test file): the real Square simulator on 127.0.0.1:0 and an adapter on it. */
export const ENDPOINTS = {
  counts: 'POST /v2/inventory/counts/batch-retrieve',
  changes: 'POST /v2/inventory/changes/batch-create',
  batchGet: 'POST /v2/catalog/batch-retrieve',
  search: 'POST /v2/catalog/search-catalog-items',
} as const;

export interface Rig {
  sim: SquareSimulator;
  adapter: SquareAdapter;
  connection: SquareConnection;
  /** Waits the adapter asked for (never slept: tests run without sleeps). */
  waits: number[];
  /** IN_STOCK summed over the connection's locations, whole units rounded down; null = no row. */
  onHand(posItemId: string): number | null;
  salesRecorded(saleId: string): number;
  requests(endpoint: string): number;
  /** A fresh adapter on the same simulator (a restarted worker). */
  restart(overrides?: Partial<SquareConnection>): SquareAdapter;
  close(): Promise<void>;
}

export interface RigOptions {
  items?: number;
  locations?: number;
  seed?: SeedFile;
  switches?: Record<string, string>;
  /** Use only these of the simulator's locations (default: all of them). */
  pickLocations?: (all: string[]) => string[];
  connection?: Partial<SquareConnection>;
  deps?: Partial<AdapterDeps>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const sim = await startSquareSimulator({
    webhookRetryDelaysMs: [5, 5],
    items: options.items ?? 20,
    locations: options.locations ?? 2,
    ...(options.seed ? { seed: options.seed } : {}),
    switches: { validate: 'on', ...options.switches },
  });
  const credentials = sim.credentials() as { accessToken: string; locationIds: string[] };
  const locationIds = options.pickLocations ? options.pickLocations(credentials.locationIds) : credentials.locationIds;
  const connection: SquareConnection = { pos: 'square', baseUrl: sim.url, accessToken: credentials.accessToken, locationIds, ...options.connection };
  const waits: number[] = [];
  const deps: AdapterDeps = {
    tokenStore: new MemoryTokenStore(),
    sleep: async (ms) => {
      waits.push(ms);
    },
    timeoutMs: 30_000,
    ...options.deps,
  };
  const make = (overrides: Partial<SquareConnection> = {}) => createSquareAdapter({ ...connection, ...overrides }, deps);
  return {
    sim,
    adapter: make(),
    connection,
    waits,
    onHand(posItemId) {
      const rows = connection.locationIds.map((l) => sim.state.inventory.get(posItemId, l, 'IN_STOCK')).filter((r) => r !== undefined);
      if (rows.length === 0) return null;
      return Math.floor(rows.reduce((sum, r) => sum + r.units, 0) / UNITS);
    },
    salesRecorded: (saleId) => sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: saleId }).length,
    requests: (endpoint) => sim.kit.stats.requestsTo(endpoint),
    restart: make,
    close: () => sim.close(),
  };
}
