import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type PossyncConfig } from '../../src/config/index.ts';
import { startSquareSimulator, type SquareSimulator } from '../../src/simulators/square/index.ts';
import { startLightspeedSimulator } from '../../src/simulators/lightspeed/index.ts';
import { startHiboutikSimulator } from '../../src/simulators/hiboutik/index.ts';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import type { SeedFile } from '../../src/simulators/kit/seed.ts';
import type { Service } from '../../src/engine/ports.ts';
import { waitUntil } from './wait.ts';
import { migratedPgliteDir } from './pglite-template.ts';

/**
 * The original README's appsettings.json, unchanged, with its three accounts pointed at the
 * simulators through environment overrides, and the simulators seeded with the very ids and
 * credentials the file names.
 */
export const README_CONFIG = fileURLToPath(new URL('../fixtures/original-readme-appsettings.json', import.meta.url));

export const ACCOUNTS = {
  square: 'your_squarePOS_account_id',
  hiboutik: 'your_hibouik_account_name',
  lightspeed: 'your_lightspeed_account_id',
} as const;

/** Catalog entries for a simulator, given its location ids and how it spells item ids. */
export type CatalogMaker = (locations: string[], itemIds: (i: number) => string) => SeedFile['items'];

function seed(locations: string[], itemIds: (i: number) => string, credentials: Record<string, string>, catalog?: CatalogMaker): SeedFile {
  return {
    locations: locations.map((id, i) => ({ id, name: `Shop ${i + 1}` })),
    items: catalog ? catalog(locations, itemIds) : Array.from({ length: 12 }, (_, i) => ({
      id: itemIds(i),
      name: `Demo Item ${String(i + 1).padStart(2, '0')}`,
      sku: `SKU-${1000 + i}`,
      priceCents: 1000 + i * 50,
      // The last item was never counted anywhere: unknown, not zero.
      stock: i === 11 ? {} : Object.fromEntries(locations.map((l, j) => [l, 10 + i + j])),
    })),
    credentials,
  };
}

export interface Simulators {
  square: SquareSimulator;
  lightspeed: Simulator;
  hiboutik: Simulator;
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface SimulatorSwitches {
  square?: Record<string, string>;
  lightspeed?: Record<string, string>;
  hiboutik?: Record<string, string>;
}

/** One catalog for all three simulators, or one per POS (a POS left out gets the usual 12 items). */
export type Catalogs = CatalogMaker | Partial<Record<'square' | 'lightspeed' | 'hiboutik', CatalogMaker>>;

export async function startSimulators(switches: SimulatorSwitches = {}, catalogs?: Catalogs): Promise<Simulators> {
  const catalogOf = (pos: 'square' | 'lightspeed' | 'hiboutik'): CatalogMaker | undefined => (typeof catalogs === 'function' ? catalogs : catalogs?.[pos]);
  const square = await startSquareSimulator({
    switches: switches.square,
    seed: seed([ACCOUNTS.square, 'LSECONDSHOP01'], (i) => `VARIATION${String(i + 1).padStart(15, '0')}`, { accessToken: 'your_squarePOS_access_token' }, catalogOf('square')),
  });
  const lightspeed = await startLightspeedSimulator({
    switches: switches.lightspeed,
    seed: seed(['1', '2'], (i) => String(i + 1), {
      accountID: ACCOUNTS.lightspeed,
      clientId: 'your_lightspeed_client_id',
      clientSecret: 'your_lightspeed_cient_secret',
      refreshToken: 'your_lightspeed_refresh_token',
      accessToken: 'your_lightspeed_access_token',
    }, catalogOf('lightspeed')),
  });
  const hiboutik = await startHiboutikSimulator({
    switches: switches.hiboutik,
    seed: seed(['1', '2'], (i) => String(i + 1), { account: ACCOUNTS.hiboutik, email: 'you@outlook.com', apiKey: 'your_hiboutik_access_token' }, catalogOf('hiboutik')),
  });
  const env = {
    POSSYNC__ecommerceDatabaseConnectionString: '',
    POSSYNC__PosAccess__PosConfigurations__0__BaseUrl: square.url,
    POSSYNC__PosAccess__PosConfigurations__1__BaseUrl: `${hiboutik.url}/api`,
    POSSYNC__PosAccess__PosConfigurations__2__ApiBaseUrl: lightspeed.url,
    POSSYNC__PosAccess__PosConfigurations__2__TokenUrl: `${lightspeed.url}/auth/oauth/token`,
  };
  return {
    square,
    lightspeed,
    hiboutik,
    env,
    async close() {
      await Promise.all([square.close(), lightspeed.close(), hiboutik.close()]);
    },
  };
}

/** The README's file plus overrides; `extraEnv` picks the core and sink under test. */
export async function readmeConfig(sims: Simulators, extraEnv: Record<string, string> = {}): Promise<PossyncConfig> {
  const config = await loadConfig({ file: README_CONFIG, env: { ...sims.env, ...extraEnv } });
  // Any free port, so tests never collide with a running possync.
  config.server.port = 0;
  return config;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Forces a poll of one account and waits until a run newer than the last one has finished. */
export async function pollNow(service: Service, accountId: string) {
  const before = (await service.synchronizer.status()).accounts.find((a) => a.accountId === accountId)?.lastRun?.id ?? 0;
  await service.synchronizer.forceUpdate(accountId);
  return waitUntil(`a finished poll of ${accountId}`, async () => {
    const run = (await service.synchronizer.status()).accounts.find((a) => a.accountId === accountId)?.lastRun;
    return run && run.id > before && run.status !== 'running' ? run : undefined;
  });
}

/** Simulators and a temporary PGlite folder, closed after the test; `env` selects that folder. */
export async function embeddedSetup(t: { after(fn: () => unknown): void }, switches: SimulatorSwitches = {}) {
  const sims = await startSimulators(switches);
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-it-');
  t.after(() => dir.remove());
  return { sims, dir, env: { POSSYNC__Core__DataFolder: dir.path } };
}
