import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli.ts';
import type { HiboutikSimulator } from '../../src/simulators/hiboutik/index.ts';
import { openCore } from '../../src/core/open.ts';
import { getWebhookEndpoint } from '../../src/core/webhooks.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ACCOUNTS, README_CONFIG, startSimulators } from '../support/readme-setup.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

/** `possync webhooks setup <account>` on a stopped service: registers, replaces, or explains. */
test('possync webhooks setup registers with Hiboutik and Square, replaces on a second run, explains Lightspeed', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-whcli-');
  t.after(() => dir.remove());
  const env = { ...sims.env, POSSYNC__Core__DataFolder: dir.path };
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  const lines: string[] = [];
  const run = async (...args: string[]) => {
    lines.length = 0;
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(...String(chunk).trimEnd().split('\n')), true)) as typeof process.stdout.write;
    try {
      return await main(['webhooks', 'setup', ...args, '--config', README_CONFIG, '--public-url', 'https://sync.shop.example/']);
    } finally {
      process.stdout.write = write;
    }
  };
  const hiboutik = sims.hiboutik as HiboutikSimulator;

  assert.equal(await run(ACCOUNTS.hiboutik), 0, lines.join('\n'));
  const first = [...hiboutik.store.webhooks.values()];
  assert.deepEqual(first.map((h) => h.action).sort(), ['product', 'sale', 'stock_order']);
  const url = first[0]!.url;
  assert.match(url, new RegExp(`^https://sync\\.shop\\.example/webhooks/hiboutik/${ACCOUNTS.hiboutik}/[A-Za-z0-9_-]{43}$`));
  const token = url.split('/').pop()!;
  assert.ok(lines.some((line) => line.includes(`/webhooks/hiboutik/${ACCOUNTS.hiboutik}/<token>`)), lines.join('\n'));
  assert.ok(!lines.join('\n').includes(token), 'a registered token is not printed');

  assert.equal(await run(ACCOUNTS.hiboutik, '--manual'), 0, lines.join('\n'));
  const manualUrl = lines.find((line) => line.startsWith('webhook URL'))!.split(' ').pop()!;
  assert.match(manualUrl, new RegExp(`/webhooks/hiboutik/${ACCOUNTS.hiboutik}/[A-Za-z0-9_-]{43}$`), 'manual mode shows the URL to paste, once');
  assert.equal(hiboutik.store.webhooks.size, 3, 'manual mode registers nothing');

  assert.equal(await run(ACCOUNTS.hiboutik), 0, lines.join('\n'));
  const second = [...hiboutik.store.webhooks.values()];
  assert.equal(second.length, 3, 'the earlier three were removed');
  assert.notEqual(second[0]!.url, url, 'a new token');

  assert.equal(await run(ACCOUNTS.square), 0, lines.join('\n'));
  const [subscription] = sims.square.webhooks.list();
  assert.equal(subscription!.notification_url, `https://sync.shop.example/webhooks/square/${ACCOUNTS.square}`);

  assert.equal(await run(ACCOUNTS.lightspeed), 0);
  assert.match(lines.join('\n'), /cannot push.*\n.*every 15 s/);

  assert.equal(await run('nobody'), 1);

  // What was stored: Square's key as issued, Hiboutik's token only as a digest.
  const config = await loadConfig({ file: README_CONFIG, env });
  const core = await openCore(config.core, { accounts: config.accounts });
  t.after(() => core.close());
  const square = await getWebhookEndpoint(core.sql, ACCOUNTS.square);
  assert.equal(square?.secret, subscription!.signature_key);
  const stored = await getWebhookEndpoint(core.sql, ACCOUNTS.hiboutik);
  const secondToken = second[0]!.url.split('/').pop()!;
  assert.equal(stored?.proof, 'url-token');
  assert.notEqual(stored?.secret, secondToken);
  assert.match(stored!.secret, /^[0-9a-f]{64}$/);
});
