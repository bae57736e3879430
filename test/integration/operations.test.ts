import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import { collectingLogger } from '../../src/log.ts';
import { configSecrets } from '../../src/config/secrets.ts';
import { shopTableDdl } from '../../src/sink/ddl.ts';
import { ACCOUNTS, readmeConfig, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { parsePrometheus } from '../support/prometheus.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

/**
 * What an operator sees, on the real service (PGlite, the README's config, the simulators): log
 * lines, /metrics, /healthz and /readyz, job ids, freshness, and what start-up says. The
 * Hiboutik account runs with a wrong key and the Square simulator injects faults, so logs see
 * refused credentials and POS errors; no configured secret may appear in any line.
 */
test('operator truth: logs, metrics, health, job ids, freshness and start-up on the real service', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-ops-');
  t.after(() => dir.remove());
  const env = {
    POSSYNC__Core__DataFolder: dir.path,
    // Refused by the simulator: every Hiboutik call answers 401.
    POSSYNC__PosAccess__PosConfigurations__1__AccessToken: 'wrong-hiboutik-key-0123456789abcdef',
    POSSYNC__Server__ApiKeys: 'ops-test-api-key-0123456789abcdef',
  };
  const config = await readmeConfig(sims, env);
  const lines: string[] = [];
  const logger = collectingLogger((_entry, line) => lines.push(line), { secrets: configSecrets(config) });
  let possync: RunningPossync = await startPossync(config, { logger, sinkRetryMs: 200 });
  t.after(() => possync.close());
  const key = { 'x-api-key': 'ops-test-api-key-0123456789abcdef' };
  const api = (path: string, init: RequestInit = {}) => fetch(`${possync.url}${path}`, { ...init, headers: { ...key, ...(init.headers as Record<string, string>) } });
  const post = (path: string, body?: unknown) =>
    api(path, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
  const task = (id: string) => api(`/api/itemstask/${id}`).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  await t.test('start-up says what runs: schedule and its source, data folder, accounts with POS and URL, address and access rule', () => {
    const schedule = entries().find((e) => e.event === 'startup.schedule');
    assert.equal(schedule?.source, 'config');
    assert.equal(schedule?.cron, '*/5 * * * *');
    const core = entries().find((e) => e.event === 'startup.core');
    assert.equal(core?.dataFolder, dir.path);
    const accounts = entries().filter((e) => e.event === 'startup.account');
    assert.deepEqual(accounts.map((a) => a.accountId).sort(), Object.values(ACCOUNTS).sort());
    assert.ok(accounts.some((a) => a.msg.includes(sims.square.url) && a.pos === 'square'), JSON.stringify(accounts));
    const listening = entries().find((e) => e.event === 'startup.listening');
    assert.match(listening?.msg, /X-Api-Key/);
    assert.equal(listening?.url, possync.url);
  });

  await t.test('a 500 while the POS refuses the key: the client gets a request id, the log its cause under that id', async () => {
    const res = await post('/api/items?wait=true', { item_pos_id: '1', item_ecommerce_id: 301, account_id: ACCOUNTS.hiboutik });
    const body = (await res.json()) as { error: string; request_id?: string };
    assert.equal(res.status, 500, JSON.stringify(body));
    assert.ok(body.request_id);
    const cause = entries().find((e) => e.event === 'http.error' && e.reqId === body.request_id);
    assert.ok(cause, 'the cause is logged under the request id');
    assert.match(cause.err.message, /Authentication failed/);
    const line = entries().find((e) => e.event === 'http.request' && e.reqId === body.request_id);
    assert.equal(line?.status, 500);
    assert.equal(line?.route, '/api/items');
  });

  let metricsBefore: ReturnType<typeof parsePrometheus>;
  await t.test('every job id the API returns resolves: registrations and forced polls, a joined poll included', async () => {
    metricsBefore = parsePrometheus(await (await api('/metrics')).text());
    const reg = await post('/api/items', { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square });
    assert.equal(reg.status, 202);
    const regId = ((await reg.json()) as { id: string }).id;
    const done = await waitUntil('the registration', async () => ((await task(regId)).body.state === 'done' ? (await task(regId)).body : undefined));
    assert.equal(done.kind, 'register-item');
    assert.equal(done.result.item_ecommerce_id, '101');

    // The test holds the account's poll lock until it lets go, so the first poll stays running
    // (waiting for the lock) however long the forces below take, with no POS client timeout to
    // outlast: a second force queues and a third joins it.
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let taken!: () => void;
    const lockTaken = new Promise<void>((resolve) => (taken = resolve));
    const holder = possync.core.locks.withLock('poll', ACCOUNTS.square, async () => {
      taken();
      await held;
    });
    await lockTaken;
    const force = async () => {
      const res = await post('/api/synchronizer/forceUpdate', { account_id: ACCOUNTS.square });
      assert.equal(res.status, 202);
      return ((await res.json()) as { queued: Array<{ job_id: string | null }> }).queued[0]!.job_id!;
    };
    const first = await force();
    await waitUntil('the first poll running', async () => (await task(first)).body.state === 'running');
    const second = await force();
    const third = await force();
    assert.equal(third, second, 'a force that joins a queued poll returns that poll\'s id');
    assert.equal((await task(second)).body.state, 'queued');
    letGo();
    await holder;
    for (const id of [first, second]) {
      const finished = await waitUntil(`poll ${id}`, async () => {
        const { status, body } = await task(id);
        assert.equal(status, 200);
        return body.state === 'done' || body.state === 'failed' ? body : undefined;
      });
      assert.equal(finished.kind, 'poll');
      assert.equal(finished.state, 'done', JSON.stringify(finished));
      assert.equal(finished.result.trigger, 'manual');
      assert.equal(finished.request.account_id, ACCOUNTS.square);
    }
    // forceUpdate of every account: each id resolves (Hiboutik has no item mapped: nothing to read).
    const all = (await (await post('/api/synchronizer/forceUpdate')).json()) as { queued: Array<{ account_id: string; job_id: string }> };
    assert.equal(all.queued.length, 3);
    for (const q of all.queued) {
      const finished = await waitUntil(`poll of ${q.account_id}`, async () => {
        const { body } = await task(q.job_id);
        return body.state === 'done' || body.state === 'failed' ? body : undefined;
      });
      assert.equal(finished.state, 'done', JSON.stringify(finished));
    }
    assert.equal((await task('00000000-0000-4000-8000-000000000000')).status, 404);
  });

  await t.test('/metrics parses as Prometheus text, and its counters move with polls and a sale', async () => {
    const sale = await post('/api/synchronizer/sale', { item_ecommerce_id: 101, delta: 1, balance: 1000 });
    assert.equal(sale.status, 202);
    const saleId = ((await sale.json()) as { sale_id: string }).sale_id;
    await waitUntil('the sale posted', async () => ((await (await api(`/api/sales/${saleId}`)).json()) as { state: string }).state === 'posted');
    const after = parsePrometheus(await (await api('/metrics')).text());
    const value = (m: ReturnType<typeof parsePrometheus>, name: string, labels: Record<string, string> = {}) =>
      m.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
    assert.ok(value(after, 'possync_polls_total', { account: ACCOUNTS.square, outcome: 'ok' }) >= value(metricsBefore, 'possync_polls_total', { account: ACCOUNTS.square, outcome: 'ok' }) + 3);
    assert.ok(value(after, 'possync_polls_total', { account: ACCOUNTS.hiboutik, outcome: 'ok' }) >= 1);
    assert.ok(value(after, 'possync_poll_duration_seconds_count', { account: ACCOUNTS.square }) >= 3);
    assert.ok(value(after, 'possync_items_read_total', { account: ACCOUNTS.square }) >= 3);
    assert.ok(value(after, 'possync_pos_calls_total', { pos: 'square' }) > value(metricsBefore, 'possync_pos_calls_total', { pos: 'square' }));
    assert.ok(value(after, 'possync_pos_calls_total', { pos: 'hiboutik', status: '401' }) >= 1);
    assert.equal(value(after, 'possync_sales_posted_total', { account: ACCOUNTS.square }), 1);
    assert.equal(value(after, 'possync_sale_to_posted_seconds_count', { account: ACCOUNTS.square }), 1);
    assert.equal(value(after, 'possync_sales', { state: 'posted' }), 1);
    // Nothing is pending once the sale is posted; the age gauge is exported (its value is a duration: no check on it here).
    assert.equal(value(after, 'possync_sales', { state: 'accepted' }) + value(after, 'possync_sales', { state: 'dispatching' }), 0);
    assert.ok(after.samples.some((s) => s.name === 'possync_oldest_pending_sale_age_seconds'));
    assert.equal(value(after, 'possync_items', { account: ACCOUNTS.square }), 1);
    assert.ok(after.samples.some((s) => s.name === 'possync_jobs' && s.labels['queue'] === 'possync-poll' && s.labels['state'] === 'completed' && s.value >= 3));
    assert.ok(after.samples.some((s) => s.name === 'possync_pos_quota_left' && s.labels['account'] === ACCOUNTS.hiboutik));
    assert.ok(after.samples.some((s) => s.name === 'possync_pos_bucket_level' && s.labels['account'] === ACCOUNTS.lightspeed));
    assert.ok(after.samples.some((s) => s.name.startsWith('possync_process_')), 'the process\'s own metrics');
    assert.equal((await fetch(`${possync.url}/metrics`)).status, 401, 'same access rule as the API');
  });

  await t.test('/healthz turns degraded when the shop table goes away, and ok when it is back; no error text', async () => {
    // Hiboutik's refused polls make its account degraded on their own: look at the sink part.
    const health = async () => {
      const res = await fetch(`${possync.url}/healthz`);
      return { status: res.status, body: (await res.json()) as any };
    };
    assert.equal((await health()).body.sink.status, 'ok');
    await possync.core.sql.query('drop table stock');
    const sale = await post('/api/synchronizer/sale', { item_ecommerce_id: 101, delta: 1, balance: 1000 });
    assert.equal(sale.status, 202);
    const degraded = await waitUntil('the failed write', async () => {
      const h = await health();
      return h.body.sink.last_write?.ok === false ? h : undefined;
    });
    assert.equal(degraded.status, 200, 'degraded is not down');
    assert.equal(degraded.body.status, 'degraded');
    assert.equal(degraded.body.sink.status, 'degraded');
    assert.equal(degraded.body.sink.last_write.code, '42P01');
    assert.doesNotMatch(JSON.stringify(degraded.body), /relation|does not exist|error/i);
    assert.ok(entries().some((e) => e.event === 'sink.write_failed'));
    for (const statement of shopTableDdl(config.sink, config.sinkTable).split(';').map((s) => s.trim()).filter(Boolean)) {
      await possync.core.sql.query(statement);
    }
    const back = await waitUntil('the shop table back', async () => {
      const h = await health();
      return h.body.sink.status === 'ok' ? h : undefined;
    });
    assert.equal(back.body.sink.last_write.ok, true);
    const ready = await fetch(`${possync.url}/readyz`);
    assert.equal(ready.status, 200);
    const readiness = (await ready.json()) as { ready: boolean; workers: { status: string }; migrations: { status: string; version: number; expected: number } };
    assert.equal(readiness.ready, true);
    assert.equal(readiness.workers.status, 'ok');
    assert.equal(readiness.migrations.status, 'ok');
    assert.equal(readiness.migrations.version, readiness.migrations.expected);
  });

  await t.test('freshness: items older than the maximum age are stale in the status, the metrics and health (degraded), until a poll confirms them', async () => {
    const status = async () => ((await (await api('/api/synchronizer')).json()) as any).accounts.find((a: any) => a.account_id === ACCOUNTS.square);
    const fresh = await status();
    assert.deepEqual({ ...fresh.freshness, oldest_confirmed_at: null }, {
      items: 1, stale_items: 0, never_confirmed: 0, max_item_age_seconds: 600, max_age_source: 'schedule', oldest_confirmed_at: null,
    });
    // An item's confirmation is its own or its last full poll's, whichever is later (core/freshness.ts): age both.
    await possync.core.sql.query(`update mappings set last_confirmed_at = now() - interval '11 minutes' where account_id = $1`, [ACCOUNTS.square]);
    await possync.core.sql.query(`update sync_runs set confirmed_at = now() - interval '11 minutes' where account_id = $1 and confirmed_at is not null`, [ACCOUNTS.square]);
    assert.equal((await status()).freshness.stale_items, 1);
    const metrics = parsePrometheus(await (await api('/metrics')).text());
    assert.equal(metrics.samples.find((s) => s.name === 'possync_stale_items' && s.labels['account'] === ACCOUNTS.square)?.value, 1);
    const health = (await (await fetch(`${possync.url}/healthz`)).json()) as any;
    const account = health.accounts.find((a: any) => a.account_id === ACCOUNTS.square);
    assert.equal(account.status, 'degraded');
    assert.deepEqual(account.reasons, ['stale_items']);
    assert.notEqual(health.status, 'down');
    const forced = (await (await post('/api/synchronizer/forceUpdate', { account_id: ACCOUNTS.square })).json()) as { queued: Array<{ job_id: string }> };
    await waitUntil('the confirming poll', async () => (await task(forced.queued[0]!.job_id)).body.state === 'done');
    assert.equal((await status()).freshness.stale_items, 0);
  });

  await t.test('a schedule set through the API is the one start-up reports after a restart', async () => {
    const started = await post('/api/synchronizer/start', { cron: '*/2 * * * *' });
    assert.equal(started.status, 200);
    assert.ok(entries().some((e) => e.event === 'config.schedule_changed' && e.cron === '*/2 * * * *'));
    await possync.close();
    lines.length = 0;
    possync = await startPossync(config, { logger, sinkRetryMs: 200 });
    const schedule = entries().find((e) => e.event === 'startup.schedule');
    assert.equal(schedule?.source, 'stored');
    assert.equal(schedule?.cron, '*/2 * * * *');
    assert.match(schedule?.msg, /stored/);
  });

  await t.test('no configured secret appears in any log line', () => {
    const all = lines.join('\n');
    assert.ok(all.length > 0);
    for (const secret of configSecrets(config)) assert.ok(!all.includes(secret), `a log line carries the secret ${secret.slice(0, 4)}…`);
  });
});
