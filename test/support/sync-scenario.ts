import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import type { PossyncConfig } from '../../src/config/types.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type Simulators } from './readme-setup.ts';
import { waitUntil } from './wait.ts';

/**
 * The service end to end, from the original README's appsettings.json: registering items over
 * HTTP, polling, following in-store changes into the API and the shop's table, a failing account
 * holding up nobody, and the schedule surviving stop, start and a restart. Run once per backend.
 */
export function syncScenario(
  name: string,
  backend: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>,
  options: { cronCycle?: boolean } = {},
): void {
  test(`service end to end on ${name}`, { timeout: 360_000 }, async (t) => {
    const sims: Simulators = await startSimulators();
    t.after(() => sims.close());
    const setup = await backend();
    t.after(() => setup.cleanup());
    const config: PossyncConfig = await readmeConfig(sims, setup.env);
    let possync: RunningPossync = await startPossync(config, { log: () => {} });
    t.after(() => possync.close());
    const api = (path: string, init?: RequestInit) => fetch(`${possync.url}${path}`, init);
    const post = (path: string, body?: unknown) =>
      api(path, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    await t.test('registers items by POS id and by exact name, waiting or as a task', async () => {
      const squareFirst = 'VARIATION000000000000001';
      let response = await post('/api/items?wait=true', { item_pos_id: squareFirst, item_ecommerce_id: 101, account_id: ACCOUNTS.square });
      assert.equal(response.status, 201, await response.clone().text());
      response = await post('/api/items?wait=true', { item_name: 'Demo Item 02', item_ecommerce_id: 102, account_id: ACCOUNTS.square });
      assert.equal(response.status, 201, await response.clone().text());
      response = await post('/api/items?wait=true', { item_pos_id: 'VARIATION000000000000012', item_ecommerce_id: 112, account_id: ACCOUNTS.square });
      assert.equal(response.status, 201);
      for (const [account, base] of [[ACCOUNTS.lightspeed, 200], [ACCOUNTS.hiboutik, 300]] as const) {
        for (const n of [1, 2, 12]) {
          response = await post('/api/items', { item_pos_id: String(n), item_ecommerce_id: base + n, account_id: account });
          assert.equal(response.status, 202, await response.clone().text());
          const location = response.headers.get('location')!;
          const task = await waitUntil(`registration ${base + n}`, async () => {
            const body = (await (await api(location)).json()) as { state: string; error: unknown };
            return body.state === 'done' || body.state === 'failed' ? body : undefined;
          });
          assert.equal(task.state, 'done', JSON.stringify(task.error));
        }
      }
      const typo = await post('/api/items?wait=true', { item_name: 'Demo Itme 03', item_ecommerce_id: 199, account_id: ACCOUNTS.square });
      assert.equal(typo.status, 422);
      const body = (await typo.json()) as { field: string; details: { close_matches: Array<{ name: string }> } };
      assert.equal(body.field, 'item_name');
      assert.ok(body.details.close_matches.some((m) => m.name === 'Demo Item 03'), JSON.stringify(body));
    });

    await t.test('items show on hand and available at the configured location; never counted stays unknown', async () => {
      const items = (await (await api(`/api/items/${ACCOUNTS.square}`)).json()) as Array<{ item_ecommerce_id: string; available: number | null; on_hand: number | null }>;
      const byId = new Map(items.map((i) => [String(i.item_ecommerce_id), i]));
      assert.equal(byId.get('101')?.available, 10, 'seeded 10 at the first location');
      assert.equal(byId.get('102')?.available, 11);
      assert.equal(byId.get('112')?.available, null, 'never counted: unknown, not 0');
      const sink = await possync.sink.readQuantities(['101', '102', '201', '301', '112']);
      assert.deepEqual([sink.get('101'), sink.get('102'), sink.get('201'), sink.get('301')], [10, 11, 10, 10]);
      assert.equal(sink.get('112'), 0, 'an uncounted item is not sellable online');
    });

    await t.test('a change made in each simulator reaches the API and the shop table after a poll', async () => {
      const setStock = (url: string, item: string, quantity: number) =>
        fetch(`${url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item, quantity }) });
      await setStock(sims.square.url, 'VARIATION000000000000001', 3);
      await setStock(sims.lightspeed.url, '1', 4);
      await setStock(sims.hiboutik.url, '1', 5);
      for (const account of Object.values(ACCOUNTS)) {
        const run = await pollNow(possync.service, account);
        assert.equal(run.status, 'ok', `${account}: ${run.error}`);
      }
      const sink = await possync.sink.readQuantities(['101', '201', '301']);
      assert.deepEqual([sink.get('101'), sink.get('201'), sink.get('301')], [3, 4, 5]);
      const items = (await (await api(`/api/items/${ACCOUNTS.lightspeed}`)).json()) as Array<{ item_ecommerce_id: string; available: number }>;
      assert.equal(items.find((i) => String(i.item_ecommerce_id) === '201')?.available, 4);
    });

    await t.test('a failing account changes nothing and holds up no other', async () => {
      sims.hiboutik.kit.faults.add({ endpoint: 'GET /api/stock_available/warehouse_id/:warehouse_id', kind: 'error', status: 500 });
      await fetch(`${sims.hiboutik.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: '1', quantity: 9 }) });
      await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'VARIATION000000000000001', quantity: 6 }) });
      const failed = await pollNow(possync.service, ACCOUNTS.hiboutik);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error ?? '', /unavailable|500/);
      const ok = await pollNow(possync.service, ACCOUNTS.square);
      assert.equal(ok.status, 'ok');
      const sink = await possync.sink.readQuantities(['101', '301']);
      assert.deepEqual([sink.get('101'), sink.get('301')], [6, 5], 'Square moved on; Hiboutik kept its last good value');
      sims.hiboutik.kit.faults.clear();
    });

    if (options.cronCycle) {
      await t.test('on a one-minute cron, a change at the till reaches the API and the shop table within one cycle', { timeout: 150_000 }, async () => {
        await post('/api/synchronizer/start', { cron: '* * * * *', time_zone: 'UTC' });
        await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'VARIATION000000000000002', quantity: 8 }) });
        const sql = possync.core.sql;
        const { rows: [last] } = await sql.query<{ id: string }>('select coalesce(max(id), 0)::text as id from sync_runs where account_id = $1', [ACCOUNTS.square]);
        await waitUntil(
          'a cron poll to bring the change',
          async () => {
            const items = (await (await api(`/api/items/${ACCOUNTS.square}`)).json()) as Array<{ item_ecommerce_id: string; available: number }>;
            const sink = await possync.sink.readQuantities(['102']);
            return items.find((i) => String(i.item_ecommerce_id) === '102')?.available === 8 && sink.get('102') === 8;
          },
          // One cycle is 60 s; pg-boss notices a due occurrence within 10 s.
          75_000,
        );
        // Within one cycle, by the order of runs rather than a stopwatch: the run that brought the
        // change is a cron run, and no run that started after the change came before it.
        const { rows: [brought] } = await sql.query<{ run_id: string; trigger: string }>(
          `select j.run_id::text, r.trigger from stock_journal j join sync_runs r on r.id = j.run_id
            where j.ecommerce_id = '102' and j.cause = 'poll' and j.on_hand_after = 8 order by j.id limit 1`,
        );
        const { rows: [firstAfter] } = await sql.query<{ id: string | null }>('select min(id)::text as id from sync_runs where account_id = $1 and id > $2', [ACCOUNTS.square, last!.id]);
        assert.ok(brought, 'a poll journaled the change');
        assert.equal(brought.trigger, 'cron');
        assert.ok(Number(brought.run_id) <= Number(firstAfter?.id ?? brought.run_id), `brought by run ${brought.run_id}, the first run after the change was ${firstAfter?.id}`);
        await post('/api/synchronizer/stop');
      });
    }

    await t.test('stop, start and a restart keep the schedule', async () => {
      let status = (await (await api('/api/synchronizer')).json()) as { running: boolean; cron: string; time_zone: string; next_run_at: string | null };
      assert.equal(status.running, false, 'StartOnBoot is off, as the original waited for /start');
      status = (await (await post('/api/synchronizer/start', { cron: '*/2 * * * 1-5', time_zone: 'Europe/Brussels' })).json()) as typeof status;
      assert.deepEqual([status.running, status.cron, status.time_zone], [true, '*/2 * * * 1-5', 'Europe/Brussels']);
      status = (await (await post('/api/synchronizer/stop')).json()) as typeof status;
      assert.equal(status.running, false);
      status = (await (await post('/api/synchronizer/start')).json()) as typeof status;
      assert.deepEqual([status.running, status.cron], [true, '*/2 * * * 1-5'], 'start without a body keeps the stored cron');
      await possync.close();
      possync = await startPossync(config, { log: () => {} });
      status = (await (await api('/api/synchronizer')).json()) as typeof status;
      assert.deepEqual([status.running, status.cron, status.time_zone], [true, '*/2 * * * 1-5', 'Europe/Brussels']);
      assert.ok(status.next_run_at);
      const bad = await post('/api/synchronizer/start', { cron: '61 * * * *' });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { field: string }).field, 'cron');
    });
  });
}
