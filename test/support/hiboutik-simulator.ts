import { createServer, type IncomingMessage } from 'node:http';
import { createManualClock } from '../../src/simulators/kit/clock.ts';
import { startHiboutikSimulator, type HiboutikSimulator, type HiboutikSimulatorOptions } from '../../src/simulators/hiboutik/index.ts';

/** Helpers shared by the Hiboutik tests (not a test file itself). */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function startSim(options: HiboutikSimulatorOptions = {}): Promise<HiboutikSimulator> {
  return startHiboutikSimulator({ clock: createManualClock(), webhookRetryDelaysMs: [5, 5], ...options });
}

export function basicAuth(sim: HiboutikSimulator): string {
  const { email, apiKey } = sim.credentials();
  return `Basic ${Buffer.from(`${email}:${apiKey}`).toString('base64')}`;
}

export interface CallOptions {
  json?: unknown;
  form?: string;
  auth?: string | null;
}

/** One API call; `path` is appended to the simulator URL as is (so tests choose /api or /apirest). */
export async function call(sim: HiboutikSimulator, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = options.auth === undefined ? basicAuth(sim) : options.auth;
  if (auth !== null) headers.authorization = auth;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = options.form;
  }
  const response = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export async function admin(sim: HiboutikSimulator, method: string, path: string, json?: unknown): Promise<any> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: response.status, body: await response.json() };
}

export interface Received {
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A local webhook receiver that records every POST and answers 200. */
export async function startReceiver(): Promise<{ url: string; seen: Received[]; close(): Promise<void> }> {
  const seen: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', contentType: req.headers['content-type'], body });
      res.setHeader('content-type', 'application/json');
      res.end('{"alerte":""}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A seed of `count` products in 2 warehouses, every product counted at 10 in warehouse 1 and 4 in 2. */
export function flatSeed(count: number) {
  return {
    locations: [
      { id: '1', name: 'Shop' },
      { id: '2', name: 'Depot' },
    ],
    items: Array.from({ length: count }, (_, i) => ({
      id: String(i + 1),
      name: `Product ${i + 1}`,
      sku: `BC${String(i + 1).padStart(6, '0')}`,
      priceCents: 1250,
      stock: { '1': 10, '2': 4 },
    })),
  };
}
