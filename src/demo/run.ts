import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { startPossync, type RunningPossync } from '../main.ts';
import { startSquareSimulator } from '../simulators/square/index.ts';
import { startLightspeedSimulator } from '../simulators/lightspeed/index.ts';
import { startHiboutikSimulator } from '../simulators/hiboutik/index.ts';
import type { Simulator } from '../simulators/kit/options.ts';
import { demoConfig, type DemoEndpoints } from './config.ts';

export interface DemoOptions {
  dir: string;
  port: number;
  ports: { square: number; lightspeed: number; hiboutik: number };
  activity: boolean;
  itemsPerAccount: number;
  cron: string;
}

export interface RunningDemo {
  possync: RunningPossync;
  simulators: { square: Simulator; lightspeed: Simulator; hiboutik: Simulator };
  configFile: string;
  /** The embedded database folder (emptied at each start). */
  dataDir: string;
  /** Every account, with its POS and the simulator behind it. */
  accounts: Array<{ id: string; name: string; pos: string; simulatorUrl: string }>;
  /** e-commerce ids registered, per account id. */
  registered: Map<string, string[]>;
  close(): Promise<void>;
}

const str = (value: unknown) => String(value);

/**
 * Starts three seeded simulators, writes an appsettings.json pointing at them, runs possync on
 * the embedded database, registers a few items per account and starts the synchronizer.
 */
export async function startDemo(options: DemoOptions, out: (line: string) => void): Promise<RunningDemo> {
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  // Each demo starts from the simulators' seeds, so possync's state starts fresh with them too
  // (a token rotated by an earlier run would be unknown to a new Lightspeed simulator).
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const started: Simulator[] = [];
  const closeSimulators = async () => {
    for (const sim of started) await sim.close().catch(() => undefined);
  };
  try {
    out('starting the POS simulators…');
    const square = await startSquareSimulator({ port: options.ports.square, items: 40, locations: 2, randomSeed: 11, switches: { validate: 'off' } });
    started.push(square);
    const lightspeed = await startLightspeedSimulator({ port: options.ports.lightspeed, items: 40, locations: 2, randomSeed: 22 });
    started.push(lightspeed);
    const hiboutik = await startHiboutikSimulator({ port: options.ports.hiboutik, items: 40, locations: 2, randomSeed: 33 });
    started.push(hiboutik);

    const sq = square.credentials();
    const ls = lightspeed.credentials();
    const hb = hiboutik.credentials();
    const endpoints: DemoEndpoints = {
      square: { url: square.url, accessToken: str(sq.accessToken), locationId: str((sq.locationIds as string[])[0]) },
      lightspeed: {
        url: lightspeed.url,
        accountID: str(ls.accountID),
        clientId: str(ls.clientId),
        clientSecret: str(ls.clientSecret),
        refreshToken: str(ls.refreshToken),
        shopId: str((ls.shopIds as string[])[0]),
        employeeID: str(ls.employeeID),
        registerID: str(ls.registerID),
      },
      hiboutik: { url: hiboutik.url, account: str(hb.account), email: str(hb.email), apiKey: str(hb.apiKey), storeId: str((hb.storeIds as string[])[0]) },
    };
    const configFile = join(dir, 'appsettings.json');
    writeFileSync(configFile, `${JSON.stringify(demoConfig(endpoints, { port: options.port || 5000, dataDir, cron: options.cron }), null, 2)}\n`);
    out(`wrote ${configFile}`);

    const config = await loadConfig({ file: configFile });
    // Port 0 (any free port, for tests) is not a valid Server.Port in a file.
    config.server.port = options.port;
    out('starting possync (the first start initialises the embedded database; this takes a few seconds)…');
    const possync = await startPossync(config, { log: (line) => out(`  ${line}`) });

    const registered = new Map<string, string[]>();
    const total = config.accounts.length * options.itemsPerAccount;
    let done = 0;
    for (const [index, account] of config.accounts.entries()) {
      const sim = [square, hiboutik, lightspeed][index]!;
      const stock = (await (await fetch(`${sim.url}/__sim/stock`)).json()) as { stock: Array<{ item: string }> };
      const ids: string[] = [];
      for (const [n, row] of stock.stock.slice(0, options.itemsPerAccount).entries()) {
        const ecommerceId = String((index + 1) * 1000 + n + 1);
        const item = await possync.service.items.registerNow({ accountId: account.id, ecommerceId, itemPosId: row.item });
        ids.push(ecommerceId);
        done += 1;
        out(`registered ${done}/${total}: e-commerce item ${ecommerceId} → ${account.name} "${item.description}" (available ${item.available ?? 'unknown'})`);
      }
      registered.set(account.id, ids);
    }
    const status = await possync.service.synchronizer.start({ cron: options.cron, timeZone: 'UTC' });
    out(`synchronizer started: ${status.cronText.toLowerCase()} (${status.cron}), next run ${status.nextRunAt}`);
    // Real time between polls: Square and Hiboutik push to possync, Lightspeed is polled for changes.
    for (const account of config.accounts) {
      const setup = await possync.service.webhooks.setup(account.id);
      for (const line of setup.lines) out(line);
    }

    if (options.activity) {
      for (const sim of started) {
        await fetch(`${sim.url}/__sim/activity`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratePerSecond: 0.5 }) });
      }
      out('in-store activity: each simulator sells and restocks about one item every 2 seconds');
    }
    return {
      possync,
      simulators: { square, lightspeed, hiboutik },
      configFile,
      dataDir,
      accounts: config.accounts.map((account, index) => ({
        id: account.id,
        name: account.name,
        pos: account.connection.pos,
        simulatorUrl: [square, hiboutik, lightspeed][index]!.url,
      })),
      registered,
      async close() {
        await possync.close();
        await closeSimulators();
      },
    };
  } catch (error) {
    await closeSimulators();
    throw error;
  }
}
