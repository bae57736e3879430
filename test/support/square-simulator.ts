/** Shared helpers for the Square simulator tests (not a test file itself). */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { TestContext } from 'node:test';
import { SquareClient } from 'square';
import { startSquareSimulator, type SquareSimulator, type SquareSimulatorOptions } from '../../src/simulators/square/index.ts';
import type { SeedFile } from '../../src/simulators/kit/seed.ts';
import { waitUntil } from './wait.ts';

export interface Started {
  sim: SquareSimulator;
  client: SquareClient;
  token: string;
  locationIds: string[];
}

/** Starts a simulator with spec validation on and fails the test if any response broke the spec. */
export async function start(t: TestContext, options: SquareSimulatorOptions = {}, clientOptions: { maxRetries?: number } = {}): Promise<Started> {
  const sim = await startSquareSimulator({ webhookRetryDelaysMs: [10, 20], ...options, switches: { validate: 'on', ...options.switches } });
  t.after(async () => {
    await sim.close();
  });
  const credentials = sim.credentials() as { accessToken: string; locationIds: string[] };
  const client = new SquareClient({ token: credentials.accessToken, baseUrl: sim.url, ...clientOptions });
  return { sim, client, token: credentials.accessToken, locationIds: credentials.locationIds };
}

export function assertNoViolations(sim: SquareSimulator): void {
  assert.deepEqual(sim.specViolations(), [], 'every response must match the official OpenAPI file');
}

/** A small fixed catalog: two locations, four variations, one never counted at L2. */
export const FIXED_SEED: SeedFile = {
  locations: [
    { id: 'LMAINSTREET01', name: 'Main Street' },
    { id: 'LHARBOUR00002', name: 'Harbour' },
  ],
  items: [
    { id: 'VAR0000000000000000000001', name: 'Blue Mug', sku: 'MUG-BLUE', priceCents: 1200, stock: { LMAINSTREET01: 10, LHARBOUR00002: 4 } },
    { id: 'VAR0000000000000000000002', name: 'Red Mug', variationName: 'Large', sku: 'MUG-RED-L', priceCents: 1500, stock: { LMAINSTREET01: 3 } },
    { id: 'VAR0000000000000000000003', name: 'Wool Scarf', sku: 'SCARF-01', priceCents: 2500, stock: { LMAINSTREET01: 0, LHARBOUR00002: 7 } },
    { id: 'VAR0000000000000000000004', name: 'Oak Candle', priceCents: 800, stock: { LMAINSTREET01: 20, LHARBOUR00002: 20 } },
  ],
};
export const [MAIN, HARBOUR] = ['LMAINSTREET01', 'LHARBOUR00002'] as const;
export const [BLUE, RED, SCARF, CANDLE] = ['VAR0000000000000000000001', 'VAR0000000000000000000002', 'VAR0000000000000000000003', 'VAR0000000000000000000004'] as const;

/** Raw HTTP call with the simulator's token (for bodies the SDK cannot send). */
export async function call(sim: SquareSimulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const token = (sim.credentials() as { accessToken: string }).accessToken;
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver; `answers` are the statuses it gives, in order (then 200). */
export async function receiver(t: TestContext, answers: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/square/webhook`;
  /** Resolves with all deliveries once `count` have arrived. */
  const deliveries = (count: number): Promise<Received[]> =>
    waitUntil(`${count} webhook deliveries`, () => received.length >= count && received);
  return { url, received, deliveries };
}
