import { createManualClock, type Clock } from '../../src/simulators/kit/clock.ts';
import type { SeedFile } from '../../src/simulators/kit/seed.ts';
import { startLightspeedSimulator, type LightspeedSimulator, type LightspeedSimulatorOptions } from '../../src/simulators/lightspeed/index.ts';

/** Test helpers: a simulator on a manual clock plus a tiny authenticated client. */
export const SMALL_SEED: SeedFile = {
  locations: [
    { id: '1', name: 'Main Street' },
    { id: '2', name: 'Harbour' },
  ],
  items: [
    { id: '1', name: 'Blue Scarf', sku: 'SKU-1', priceCents: 1250, stock: { '1': 10, '2': 4 } },
    { id: '2', name: 'Red Mug', sku: 'SKU-2', priceCents: 800, stock: { '1': 3 } },
    { id: '3', name: 'Oak Teapot', sku: 'SKU-3', priceCents: 3000, stock: {} },
  ],
};

export interface Harness {
  sim: LightspeedSimulator;
  clock: Clock;
  accountID: string;
  token: string;
  /** GET/PUT/POST a path under /API/V3/Account/{id}/ (or an absolute URL) with the current token. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<T>;
}

export async function harness(options: LightspeedSimulatorOptions = {}): Promise<Harness> {
  const clock = options.clock ?? createManualClock();
  const sim = await startLightspeedSimulator({ seed: SMALL_SEED, ...options, clock });
  const creds = sim.credentials() as { accountID: string; accessToken: string };
  const h: Harness = {
    sim,
    clock,
    accountID: creds.accountID,
    token: creds.accessToken,
    api(path, init = {}) {
      const url = path.startsWith('http') ? path : path.startsWith('/') ? `${sim.url}${path}` : `${sim.url}/API/V3/Account/${h.accountID}/${path}`;
      const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? h.token}` };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      return fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    },
    async json(path, init) {
      const response = await h.api(path, init);
      const body = await response.json();
      if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(body)}`);
      return body as never;
    },
  };
  return h;
}

export const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

export const postJson = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function postMultipart(url: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return fetch(url, { method: 'POST', body: form });
}
