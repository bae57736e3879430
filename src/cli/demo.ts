import { parseArgs } from 'node:util';
import { startDemo } from '../demo/run.ts';
import { untilSignal } from './serve.ts';

export const DEMO_USAGE = `Usage: possync demo [--no-activity] [--port N] [--dir DIR]

Runs possync against three POS simulators (Square on 5101, Lightspeed on 5102, Hiboutik on 5103)
with seeded catalogs: writes a config for them, serves the API on the embedded database, registers
a few items per account, starts the synchronizer on a one-minute cron, registers possync's
webhooks with the Square and Hiboutik simulators and polls Lightspeed's changes every 15 s, so a
till change reaches the shop table within seconds without waiting for a poll.

Options:
  --no-activity            no in-store sales and restocks (for scripted checks)
  --port N                 possync's port (default 5000)
  --square-port N          (default 5101)
  --lightspeed-port N      (default 5102)
  --hiboutik-port N        (default 5103)
  --items N                items registered per account (default 5)
  --cron EXPR              polling schedule (default "* * * * *": every minute)
  --dir DIR                where the demo's config and database go (default .possync/demo)
`;

export async function demoCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'no-activity': { type: 'boolean' },
      port: { type: 'string' },
      'square-port': { type: 'string' },
      'lightspeed-port': { type: 'string' },
      'hiboutik-port': { type: 'string' },
      items: { type: 'string' },
      cron: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(DEMO_USAGE);
    return 0;
  }
  const number = (value: string | undefined, flag: string, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${flag} must be a whole number (got "${value}")`);
    return n;
  };
  const demo = await startDemo(
    {
      dir: values.dir ?? '.possync/demo',
      port: number(values.port, '--port', 5000),
      ports: {
        square: number(values['square-port'], '--square-port', 5101),
        lightspeed: number(values['lightspeed-port'], '--lightspeed-port', 5102),
        hiboutik: number(values['hiboutik-port'], '--hiboutik-port', 5103),
      },
      activity: !values['no-activity'],
      itemsPerAccount: number(values.items, '--items', 5),
      cron: values.cron ?? '* * * * *',
    },
    out,
  );
  const url = demo.possync.url;
  const [firstAccount, firstIds] = [...demo.registered.entries()][0] ?? ['', []];
  const [, lightspeedIds] = [...demo.registered.entries()][2] ?? ['', []];
  const lightspeedAccount = [...demo.registered.keys()][2] ?? '';
  const sim = demo.simulators.square;
  out('');
  out('possync is running. Where to look:');
  out(`  dashboard      ${url}/hangfire   (jobs, schedule, accounts, items, sales, runs)`);
  out(`  API            ${url}/api/synchronizer   (reference, with "Try it out": ${url}/docs)`);
  out(`  health         ${url}/healthz   ${url}/readyz   metrics: ${url}/metrics`);
  out('  accounts       (use these ids as account_id and in /api/items/{accountID})');
  for (const account of demo.accounts) {
    out(`    ${account.id.padEnd(24)} ${account.pos.padEnd(10)} simulator ${account.simulatorUrl}  items ${(demo.registered.get(account.id) ?? []).join(', ')}`);
    out(`      ${url}/api/items/${encodeURIComponent(account.id)}`);
  }
  out(`  simulators     admin routes listed at ${sim.url}/__sim/ (and the same path on each simulator)`);
  out(`  config         ${demo.configFile}`);
  out(`  state          the demo starts from a clean state each time: the simulators from their seeds, possync from an empty ${demo.dataDir}`);
  out('');
  out('Try it:');
  const item = (await demo.possync.service.items.list(firstAccount)).find((i) => i.ecommerceId === firstIds[0]);
  if (item) {
    out(`  curl -s -X POST ${sim.url}/__sim/stock -H 'content-type: application/json' -d '{"item":"${item.posItemId}","quantity":7}'`);
    out(`  curl -s ${url}/api/items/${firstAccount}                 # a second later: item ${item.ecommerceId} shows available 7 (Square's webhook, no poll)`);
    out(`  open ${url}/hangfire/items/${item.ecommerceId}    # its journal, and what the shop table holds`);
  }
  const lsItem = (await demo.possync.service.items.list(lightspeedAccount)).find((i) => i.ecommerceId === lightspeedIds[0]);
  if (lsItem) {
    out(`  curl -s -X POST ${demo.simulators.lightspeed.url}/__sim/stock -H 'content-type: application/json' -d '{"item":"${lsItem.posItemId}","quantity":7}'`);
    out(`  curl -s ${url}/api/items/${lightspeedAccount}             # within 15 s: item ${lsItem.ecommerceId} at 7 (Lightspeed cannot push; a change poll finds it)`);
  }
  out(`  curl -s -X POST ${url}/api/synchronizer/forceUpdate     # a full poll of every account now, if you want one`);
  out('');
  out('Ctrl-C stops the demo.');
  await untilSignal();
  out('stopping…');
  await demo.close();
  return 0;
}
