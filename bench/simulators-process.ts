/**
 * The three seeded simulators in a process of their own, so a benchmark of possync does not also
 * carry the POS's work on its event loop (in production the POS is another machine). Prints one
 * JSON line with the environment overrides that point the README's config at them, then serves
 * until killed. Usage: node --import tsx bench/simulators-process.ts
 */
import { startSimulators } from '../test/support/readme-setup.ts';

const sims = await startSimulators({ lightspeed: { bucketSize: '100000', dripRate: '10000', refreshLimitPerMinute: '0' } });
await fetch(`${sims.square.url}/__sim/stock`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ item: 'VARIATION000000000000001', quantity: 10_000_000 }),
});
console.log(JSON.stringify(sims.env));
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
