import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { buildApi } from './app.ts';
import { FakeService } from '../../test/support/api.ts';
import { loadConfig } from '../config/index.ts';

/**
 * Issue 14, hole 8: a client that sends headers (or half of them) and stalls is cut off, and
 * connections past the cap are refused. The waits are on the socket's own close event; the test
 * only fails if the server never closes it (the suite's timeout).
 */
async function listening(limits: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number }) {
  const app = await buildApi(new FakeService(), { apiKeys: [], version: 'test', limits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return { app, port };
}

async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, received: () => text, closed };
}

test('a request that sends its headers and stalls on the body is closed with a 408', { timeout: 300_000 }, async (t) => {
  const { app, port } = await listening({ headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, maxConnections: 100 });
  t.after(() => app.close());
  const { socket, received, closed } = await open(port);
  socket.write('POST /api/synchronizer/sale HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"item_');
  await closed;
  assert.match(received(), /^HTTP\/1\.1 408/, `answered: ${received() || '(nothing)'}`);
});

test('a client that never finishes its headers is closed', { timeout: 300_000 }, async (t) => {
  const { app, port } = await listening({ headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, maxConnections: 100 });
  t.after(() => app.close());
  const { socket, closed } = await open(port);
  socket.write('GET /api/synchronizer HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  await closed;
  assert.ok(socket.destroyed);
});

test('connections past the cap are closed at once; the ones within it are served', { timeout: 300_000 }, async (t) => {
  const { app, port } = await listening({ headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 10_000, maxConnections: 2 });
  t.after(() => app.close());
  const first = await open(port);
  const second = await open(port);
  const third = await open(port);
  await third.closed;
  assert.equal(third.received(), '', 'the third connection got nothing');
  first.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(first.socket, 'data');
  first.socket.destroy();
  second.socket.destroy();
  assert.match(first.received(), /^HTTP\/1\.1 200/);
});

test('the limits come from Server.* keys, by file or environment, with the same checks', async () => {
  const config = await loadConfig({
    env: {
      POSSYNC__Server__RequestTimeoutSeconds: '12',
      POSSYNC__Server__HeadersTimeoutSeconds: '4',
      POSSYNC__Server__KeepAliveTimeoutSeconds: '3',
      POSSYNC__Server__MaxConnections: '50',
    },
  });
  assert.deepEqual(config.server.limits, { requestTimeoutMs: 12_000, headersTimeoutMs: 4_000, keepAliveTimeoutMs: 3_000, maxConnections: 50 });
  const defaults = await loadConfig({ env: {} });
  assert.deepEqual(defaults.server.limits, { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1000 });
  await assert.rejects(
    loadConfig({ env: { POSSYNC__Server__RequestTimeoutSeconds: '0', POSSYNC__Server__HeadersTimeoutSeconds: '40' } }),
    (error: Error) => /Server\.RequestTimeoutSeconds must be a whole number from 1 to 3600/.test(error.message) && /HeadersTimeoutSeconds/.test(error.message),
  );
});
