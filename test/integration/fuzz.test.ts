import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { createRandom, pick, randomInt, type Random } from '../../src/simulators/kit/random.ts';
import { ACCOUNTS, embeddedSetup, readmeConfig } from '../support/readme-setup.ts';
import { json, post } from '../support/server-process.ts';

/**
 * Issue 14: a seeded fuzz of every API route. Each case is a valid request with one thing broken
 * (a field of the wrong type, a huge number, control characters, U+0000, deep JSON, broken JSON,
 * an unknown or bracketed query parameter, a long header), so none may be accepted: no answer
 * may be a 5xx, and the core's tables must be exactly as they were.
 */
const SEED = Number(process.env.POSSYNC_FUZZ_SEED ?? 1409);
const CASES = 1200;

interface Route {
  method: 'GET' | 'POST';
  path: (r: Random) => string;
  /** A valid body to break, for routes that take one. */
  body?: Record<string, unknown>;
}

const ROUTES: Route[] = [
  { method: 'POST', path: () => '/api/items', body: { item_pos_id: 'VARIATION000000000000002', item_ecommerce_id: 555, account_id: ACCOUNTS.square, limit_quantity: 1 } },
  { method: 'POST', path: () => '/api/items?wait=true', body: { item_name: 'Demo Item 03', item_ecommerce_id: '556', account_id: ACCOUNTS.square } },
  { method: 'GET', path: () => `/api/items/${ACCOUNTS.square}` },
  { method: 'GET', path: () => '/api/itemstask/00000000-0000-0000-0000-000000000000' },
  { method: 'GET', path: () => '/api/synchronizer' },
  { method: 'POST', path: () => '/api/synchronizer/start', body: { cron: '*/5 * * * *', time_zone: 'UTC' } },
  { method: 'POST', path: () => '/api/synchronizer/stop', body: {} },
  { method: 'POST', path: () => '/api/synchronizer/forceUpdate', body: { account_id: ACCOUNTS.square } },
  { method: 'POST', path: () => '/api/synchronizer/sale', body: { item_ecommerce_id: 101, delta: 1, balance: 1250, reference: 'order-1' } },
  { method: 'GET', path: () => '/api/sales?state=posted&limit=5' },
  { method: 'GET', path: () => '/api/sales/some-sale' },
  { method: 'POST', path: () => '/api/sales/some-sale/retry', body: {} },
  { method: 'POST', path: () => '/api/sales/some-sale/cancel', body: { reason: 'customer left' } },
  { method: 'GET', path: () => '/healthz' },
  { method: 'GET', path: () => '/docs/json' },
];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat(['\u007f', '\u0000', '\ud800', '\udfff', '\u2028', '\ufeff']);

function junkText(r: Random): string {
  const length = pick(r, [1, 3, 40, 300, 70_000]);
  let text = '';
  for (let i = 0; i < Math.min(length, 64); i++) text += r() < 0.4 ? pick(r, CONTROL) : String.fromCharCode(randomInt(r, 32, 0x2fff));
  // Always one character the database cannot store, so the case stays invalid.
  return text.padEnd(length, 'x') + pick(r, ['\u0000', '\ud800', '\udc00']);
}

/** Values that are wrong for every field of every route. */
function badValue(r: Random): unknown {
  return pick(r, [
    () => junkText(r),
    () => 1e308 * 10, // Infinity: serialised as null
    () => 2 ** 63,
    () => -(2 ** 53) - 7,
    () => 0.5,
    () => ({ nested: { deeper: [junkText(r)] } }),
    () => [1, 'two', null],
    () => true,
  ])();
}

/** Percent-encoded; a lone surrogate becomes the invalid UTF-8 bytes a hostile client would send. */
function enc(text: string): string {
  return text
    .split(/([\ud800-\udfff])/)
    .map((part) => (/^[\ud800-\udfff]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

interface Case {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  what: string;
}

const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

function makeCase(r: Random): Case {
  const route = pick(r, ROUTES);
  const url = route.path(r);
  const headers: Record<string, string> = {};
  const fields = Object.keys(route.body ?? {});
  let body = route.body ? JSON.stringify(route.body) : undefined;
  let target = url;
  const kinds = ['query', 'query-array', 'path', 'long-header'];
  if (route.body) kinds.push('deep', 'broken-json', 'wrong-root');
  if (fields.length > 0) kinds.push('field', 'field', 'field', 'unstorable-field', 'deep-field', 'huge-number');
  if (url === '/api/synchronizer/sale') kinds.push('long-key');
  const kind = pick(r, kinds);
  const field = fields.length > 0 ? pick(r, fields) : '';
  switch (kind) {
    case 'query':
      target = withQuery(url, `${enc(junkText(r).slice(0, 20))}=${enc(junkText(r).slice(0, 50))}`);
      break;
    case 'query-array':
      target = withQuery(url, `state[]=posted&limit[]=${randomInt(r, -5, 99999999)}`);
      break;
    case 'path': {
      const segments = url.split('?')[0]!.split('/');
      segments[segments.length - 1] = enc(junkText(r).slice(0, 40));
      target = segments.join('/');
      break;
    }
    case 'long-header':
      // Past Node's 16 KiB header limit: a 431 (or a closed connection), whatever the route.
      headers['x-long'] = 'v'.repeat(pick(r, [17_000, 70_000]));
      break;
    case 'long-key':
      headers['idempotency-key'] = 'k'.repeat(pick(r, [256, 4000]));
      break;
    case 'field':
      body = JSON.stringify({ ...route.body, [field]: badValue(r) });
      break;
    case 'unstorable-field':
      body = JSON.stringify({ ...route.body, [field]: `ok${pick(r, ['\u0000', '\ud800', '\udc00'])}` });
      break;
    case 'deep':
      body = '['.repeat(pick(r, [50, 5_000, 100_000]));
      break;
    case 'deep-field': {
      const depth = pick(r, [50, 5_000, 100_000]);
      body = JSON.stringify({ ...route.body, [field]: 0 }).replace(`"${field}":0`, `"${field}":${'['.repeat(depth)}1${']'.repeat(depth)}`);
      break;
    }
    case 'broken-json':
      body = pick(r, ['{', '{"a":}', '\u0000', '{"item_ecommerce_id": 1,}', '[1,2', 'nul', '{"a":"\\ud800']);
      break;
    case 'huge-number':
      body = JSON.stringify({ ...route.body, [field]: 0 }).replace(`"${field}":0`, `"${field}":${pick(r, ['1' + '0'.repeat(400), '-1e999', '1e999', '9223372036854775808'])}`);
      break;
    case 'wrong-root':
      body = pick(r, ['[]', '"text"', '123', 'true']);
      break;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method: route.method, url: target, headers, body, what: `${kind} ${route.method} ${url}${field ? ` (${field})` : ''}` };
}

/** Every core table (the embedded shop table included) as one fingerprint per table. */
async function fingerprint(sql: { query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> }): Promise<Record<string, string>> {
  const { rows: tables } = await sql.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' order by tablename`);
  const prints: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await sql.query<{ print: string | null; n: number }>(`select md5(string_agg(t::text, '|' order by t::text)) as print, count(*)::int as n from "${name}" t`);
    prints[name] = `${rows[0]!.n}:${rows[0]!.print}`;
  }
  const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name like 'possync-%'`);
  prints['pgboss.job'] = String(rows[0]!.n);
  return prints;
}

test(`fuzz: ${CASES} broken requests over every route give no 5xx and write nothing (seed ${SEED})`, { timeout: 600_000 }, async (t) => {
  const { sims, env } = await embeddedSetup(t);
  const possync = await startPossync(await readmeConfig(sims, env), { log: () => {} });
  t.after(() => possync.close());
  await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square }));
  const before = await fingerprint(possync.core.sql);

  const r = createRandom(SEED);
  const statuses = new Map<number, number>();
  const serverErrors: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const c = makeCase(r);
    let status: number;
    try {
      const response = await fetch(`${possync.url}${c.url}`, { method: c.method, headers: c.headers, body: c.body });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0; // the server closed the connection (a header over Node's limit): not an answer, not a crash
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) serverErrors.push(`#${i} ${c.what} → ${status}: ${c.url.slice(0, 120)} ${c.body?.slice(0, 120) ?? ''}`);
    if (status >= 200 && status < 300 && c.method === 'POST') serverErrors.push(`#${i} ${c.what} was accepted (${status}): ${c.url.slice(0, 120)} ${c.body?.slice(0, 120) ?? ''}`);
  }
  console.log(`fuzz seed ${SEED}: ${CASES} cases, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  assert.deepEqual(serverErrors, [], 'no 5xx, no accepted write');
  assert.deepEqual(await fingerprint(possync.core.sql), before, 'the core tables are unchanged');
  const health = await fetch(`${possync.url}/healthz`);
  assert.equal(health.status, 200, 'still healthy');
});
