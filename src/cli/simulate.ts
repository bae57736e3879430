import { parseArgs } from 'node:util';
import { loadSeedFile } from '../simulators/kit/seed.ts';
import { SIMULATORS, isSimulatorName } from '../simulators/registry.ts';

export const SIMULATE_USAGE = `Usage: possync simulate <square|lightspeed|hiboutik> [options]

Runs one POS simulator until Ctrl-C.

Options:
  --port N           port to listen on (default: a free one)
  --host ADDR        address to bind (default 127.0.0.1)
  --seed FILE        catalog and stock from a seed file (format in the README)
  --items N          size of the generated catalog when no seed is given (default 20)
  --locations N      locations / shops / warehouses to generate (default 2)
  --activity R       in-store sales and restocks, R events per second (default: none)
  --switch K=V       a simulator switch (see the README), repeatable
`;

export async function simulateCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      items: { type: 'string' },
      locations: { type: 'string' },
      activity: { type: 'string' },
      switch: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const name = positionals[0];
  if (values.help || name === undefined) {
    out(SIMULATE_USAGE);
    return values.help ? 0 : 2;
  }
  if (!isSimulatorName(name)) {
    out(`unknown simulator "${name}": choose ${Object.keys(SIMULATORS).join(', ')}`);
    return 2;
  }
  const switches: Record<string, string> = {};
  for (const pair of values.switch ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      out(`--switch takes NAME=VALUE (got "${pair}")`);
      return 2;
    }
    switches[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const simulator = await SIMULATORS[name]({
    host: values.host,
    port: parseCount(values.port, '--port', 0),
    seed: values.seed ? await loadSeedFile(values.seed) : undefined,
    items: parseCount(values.items, '--items', 20),
    locations: parseCount(values.locations, '--locations', 2),
    switches,
  });
  if (values.activity !== undefined) {
    const response = await fetch(`${simulator.url}/__sim/activity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ratePerSecond: Number(values.activity) }),
    });
    if (!response.ok) throw new Error(`could not start in-store activity: ${await response.text()}`);
  }
  out(`${name} simulator listening on ${simulator.url}`);
  out(`credentials: ${JSON.stringify(simulator.credentials())}`);
  out(`admin API: ${simulator.url}/__sim/ (ledger, stats, faults, stock, reset, clock, activity, webhooks)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  return 0;
}

function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new RangeError(`${flag} must be a whole number (got "${value}")`);
  return number;
}
