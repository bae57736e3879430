import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDemo } from '../../src/demo/run.ts';
import { tempDir } from '../support/readme-setup.ts';

/**
 * Every request body example /docs offers ("Try it out") works on the demo as it is, path
 * parameters filled from their examples; and a text/plain body on a JSON route is a 415.
 */
test('the /docs examples are real requests that work on the demo; text/plain gets 415', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('possync-docs-');
  t.after(() => dir.remove());
  const lines: string[] = [];
  const demo = await startDemo(
    { dir: dir.path, port: 0, ports: { square: 0, lightspeed: 0, hiboutik: 0 }, activity: false, itemsPerAccount: 2, cron: '* * * * *' },
    (line) => lines.push(line),
  );
  t.after(() => demo.close());
  const url = demo.possync.url;
  assert.deepEqual(demo.accounts.map((a) => a.id), ['demo-square', 'demo-hiboutik', 'demo-lightspeed']);

  const doc = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, Record<string, any>> };
  const tried: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const example = op.requestBody?.content?.['application/json']?.example;
      if (example === undefined) continue;
      const params = (op.parameters ?? []) as Array<{ in: string; name: string; example?: string }>;
      const pathParams = params.filter((p) => p.in === 'path');
      // A sale id cannot be known in advance: those routes are tried on the sale the example made.
      if (pathParams.some((p) => p.example === undefined)) continue;
      const filled = pathParams.reduce((p, param) => p.replace(`{${param.name}}`, encodeURIComponent(param.example!)), path);
      const res = await fetch(`${url}${filled}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: JSON.stringify(example) });
      assert.ok(res.status >= 200 && res.status < 300, `${method.toUpperCase()} ${filled} with the /docs example answered ${res.status}: ${await res.text()}`);
      tried.push(`${method} ${path}`);
    }
  }
  assert.deepEqual(tried.sort(), [
    'post /api/items', 'post /api/items/{item_ecommerce_id}/sources', 'post /api/synchronizer/forceUpdate', 'post /api/synchronizer/sale', 'post /api/synchronizer/start',
  ].sort());

  // The cancel example, on a sale made from the sale example.
  const saleExample = doc.paths['/api/synchronizer/sale']!['post'].requestBody.content['application/json'].example;
  const sale = (await (await fetch(`${url}/api/synchronizer/sale`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...saleExample, reference: 'order-cancel-me' }) })).json()) as { sale_id: string };
  const cancelExample = doc.paths['/api/sales/{id}/cancel']!['post'].requestBody.content['application/json'].example;
  const cancel = await fetch(`${url}/api/sales/${sale.sale_id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cancelExample) });
  // Cancelled, or already posted by the dispatcher (409): both are answers to a real request.
  assert.ok(cancel.status === 200 || cancel.status === 409, String(cancel.status));

  const text = await fetch(`${url}/api/synchronizer/sale`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(saleExample) });
  assert.equal(text.status, 415);
  assert.equal(((await text.json()) as { error: string }).error, 'unsupported_media_type');

  // The demo's own guide: every account id, and the simulators' admin index.
  const index = (await (await fetch(`${demo.simulators.square.url}/__sim/`)).json()) as { routes: Array<{ method: string; path: string }> };
  assert.ok(index.routes.some((r) => r.method === 'POST' && r.path === '/__sim/stock'), JSON.stringify(index));
});
