import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { buildSimulatorApp, createKit, listen, type SimulatorDefinition } from './server.ts';
import { createManualClock } from './clock.ts';
import { generateSeed, parseSeed, SeedError } from './seed.ts';
import { waitUntil } from '../../../test/support/wait.ts';

/** A toy POS with one counter per (item, location), enough to exercise the shared kit. */
function toyDefinition(kit: ReturnType<typeof createKit>): SimulatorDefinition {
  const stock = new Map<string, number>([['A|L1', 5]]);
  return {
    name: 'toy',
    errorReply: (kind, status, message, retryAfter) => ({
      status,
      body: { kind, message },
      headers: retryAfter ? { 'retry-after': String(retryAfter) } : ({} as Record<string, string>),
    }),
    routes(scope) {
      scope.post<{ Body: { item: string; delta: number } }>('/write', async (request) => {
        const key = `${request.body.item}|L1`;
        stock.set(key, (stock.get(key) ?? 0) + request.body.delta);
        kit.ledger.record({ source: 'api', kind: 'sale', item: request.body.item, location: 'L1', quantity: request.body.delta, endpoint: 'POST /write' });
        return { quantity: stock.get(key) };
      });
      scope.get('/read', async () => ({ quantity: stock.get('A|L1') }));
    },
    inventory: {
      itemIds: () => ['A'],
      locationIds: () => ['L1'],
      quantity: (item, location) => stock.get(`${item}|${location}`) ?? null,
      adjust: (item, location, delta) => {
        stock.set(`${item}|${location}`, (stock.get(`${item}|${location}`) ?? 0) + delta);
      },
      set: (item, location, quantity) => {
        stock.set(`${item}|${location}`, quantity);
      },
      defaultLocation: () => 'L1',
      hasItem: (item) => item === 'A',
      hasLocation: (location) => location === 'L1',
    },
    credentials: () => ({ token: 'toy' }),
    reset: () => stock.set('A|L1', 5),
  };
}

async function startToy() {
  const kit = createKit({ clock: createManualClock(), webhookRetryDelaysMs: [5, 5] });
  const app = await buildSimulatorApp(toyDefinition(kit), kit);
  return { kit, sim: await listen(app) };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('before-faults answer without running the handler; after-faults commit first', async (t) => {
  const { kit, sim } = await startToy();
  t.after(() => sim.close());

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'error', status: 503, count: 1 });
  const failed = await post(`${sim.url}/write`, { item: 'A', delta: -1 });
  assert.equal(failed.status, 503);
  assert.deepEqual(await failed.json(), { kind: 'error', message: 'Injected server error' });
  assert.equal(kit.ledger.list().length, 0, 'an injected 5xx writes nothing');

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'rate_limit', retryAfterSeconds: 2, count: 1 });
  const limited = await post(`${sim.url}/write`, { item: 'A', delta: -1 });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'reset', count: 1 });
  await assert.rejects(post(`${sim.url}/write`, { item: 'A', delta: -1 }));
  assert.equal(kit.ledger.list().length, 0, 'a reset before the handler writes nothing');

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'timeout_after_commit', holdMs: 10, count: 1 });
  await assert.rejects(post(`${sim.url}/write`, { item: 'A', delta: -1 }));
  assert.equal(kit.ledger.list().length, 1, 'the write behind a dropped answer is committed');

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'malformed', count: 1 });
  const malformed = await post(`${sim.url}/write`, { item: 'A', delta: -1 });
  assert.equal(malformed.status, 200);
  await assert.rejects(malformed.json(), SyntaxError);

  const ok = await post(`${sim.url}/write`, { item: 'A', delta: -1 });
  assert.deepEqual(await ok.json(), { quantity: 2 });

  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { endpoints: Record<string, { requests: number; statuses: Record<string, number> }>; faultsInjected: Record<string, number> };
  assert.equal(stats.endpoints['POST /write']?.requests, 6);
  assert.deepEqual(stats.endpoints['POST /write']?.statuses, { '200': 3, '429': 1, '503': 1, reset: 1 });
  assert.deepEqual(stats.faultsInjected, { error: 1, rate_limit: 1, reset: 1, timeout_after_commit: 1, malformed: 1 });
  const faults = (await (await fetch(`${sim.url}/__sim/faults`)).json()) as { faults: unknown[] };
  assert.equal(faults.faults.length, 0, 'rules with a count retire when spent');
});

test('a hang holds the request until the client gives up (nothing written) or the test releases it', async (t) => {
  const { kit, sim } = await startToy();
  t.after(() => sim.close());
  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'hang', count: 1 });
  const client = new AbortController();
  const hung = fetch(`${sim.url}/write`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'A', delta: -1 }), signal: client.signal });
  await waitUntil('the simulator to hold the request', () => kit.stats.requestsTo('POST /write') === 1);
  // It holds on while the client waits: an ordinary call gets through meanwhile.
  assert.deepEqual(await (await fetch(`${sim.url}/read`)).json(), { quantity: 5 });
  client.abort();
  await assert.rejects(hung, { name: 'AbortError' });
  await waitUntil('the hung request to be counted', () => kit.stats.snapshot().endpoints['POST /write']?.statuses['hung'] === 1);
  assert.equal(kit.ledger.list().length, 0, 'a hung request writes nothing');
  assert.equal(kit.faults.holding(), 0);

  await post(`${sim.url}/__sim/faults`, { endpoint: 'POST /write', kind: 'hang', count: 1 });
  const held = post(`${sim.url}/write`, { item: 'A', delta: -1 });
  await waitUntil('the second request held', () => kit.faults.holding() === 1);
  assert.equal(kit.ledger.list().length, 0, 'nothing written while held');
  assert.deepEqual(await (await post(`${sim.url}/__sim/faults/release`, {})).json(), { released: 1 });
  assert.deepEqual(await (await held).json(), { quantity: 4 });
  assert.equal(kit.ledger.list().length, 1, 'a released request carries on to its handler');
});

test('probability faults hit roughly their share; bad specs are refused', async (t) => {
  const { sim } = await startToy();
  t.after(() => sim.close());
  const bad = await post(`${sim.url}/__sim/faults`, { kind: 'explode' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /kind must be one of/);
  await post(`${sim.url}/__sim/faults`, { endpoint: 'GET /read', kind: 'error', probability: 0.3 });
  let errors = 0;
  for (let i = 0; i < 200; i++) if ((await fetch(`${sim.url}/read`)).status === 500) errors += 1;
  assert.ok(errors > 30 && errors < 90, `expected about 60 of 200, got ${errors}`);
});

test('/__sim/stock sets and adjusts; unknown items are 404; reset restores the seed', async (t) => {
  const { kit, sim } = await startToy();
  t.after(() => sim.close());
  assert.deepEqual(await (await post(`${sim.url}/__sim/stock`, { item: 'A', quantity: 9 })).json(), { item: 'A', location: 'L1', quantity: 9 });
  assert.deepEqual(await (await post(`${sim.url}/__sim/stock`, { item: 'A', location: 'L1', delta: -4 })).json(), { item: 'A', location: 'L1', quantity: 5 });
  assert.equal((await post(`${sim.url}/__sim/stock`, { item: 'Z', delta: 1 })).status, 404);
  assert.equal((await post(`${sim.url}/__sim/stock`, { item: 'A', quantity: 1, delta: 1 })).status, 400);
  await post(`${sim.url}/write`, { item: 'A', delta: -1 });
  await post(`${sim.url}/__sim/reset`, {});
  assert.equal(kit.ledger.list().length, 0);
  assert.deepEqual(await (await fetch(`${sim.url}/read`)).json(), { quantity: 5 });
  assert.equal((await fetch(`${sim.url}/nowhere`)).status, 404);
});

test('webhooks retry on non-2xx with one event id, and idle() waits for the last attempt', async (t) => {
  const { kit, sim } = await startToy();
  t.after(() => sim.close());
  const seen: Array<{ id: string | undefined; body: string }> = [];
  let answers = [500, 502, 200];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ id: req.headers['x-event-id'] as string | undefined, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.after(() => receiver.close());
  const port = (receiver.address() as { port: number }).port;
  kit.webhooks.send({ url: `http://127.0.0.1:${port}/hook`, eventId: 'ev-1', contentType: 'application/json', body: '{"a":1}', headers: { 'x-event-id': 'ev-1' } });
  await kit.webhooks.idle();
  assert.deepEqual(seen.map((s) => s.id), ['ev-1', 'ev-1', 'ev-1']);
  assert.deepEqual(kit.webhooks.log().map((a) => a.status), [500, 502, 200]);
  answers = [500, 500, 500, 500];
  kit.webhooks.send({ url: `http://127.0.0.1:${port}/hook`, eventId: 'ev-2', contentType: 'application/json', body: '{}' });
  await kit.webhooks.idle();
  assert.equal(kit.webhooks.log().filter((a) => a.eventId === 'ev-2').length, 3, 'one try plus the two scheduled retries');
});

test('seeds: generated catalogs are reproducible and checked files list every problem', () => {
  const ids = { item: (i: number) => `I${i}`, location: (i: number) => `L${i}` };
  const a = generateSeed({ items: 50, locations: 3, ids, randomSeed: 5 });
  assert.deepEqual(a, generateSeed({ items: 50, locations: 3, ids, randomSeed: 5 }));
  assert.equal(a.items.length, 50);
  assert.deepEqual(parseSeed(a), a);
  assert.throws(
    () => parseSeed({ locations: [{ id: 'L0', name: 'x' }], items: [{ id: 'A', name: 'a', priceCents: 1, stock: { L9: 1 } }, { id: 'A', name: 'b', priceCents: 1, stock: {} }] }),
    (error: unknown) => error instanceof SeedError && /repeated/.test(error.message) && /unknown location "L9"/.test(error.message),
  );
  assert.throws(() => parseSeed({ items: 'no' }), /must have required property 'locations'/);
});
