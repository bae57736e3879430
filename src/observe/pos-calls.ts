/**
 * The `fetch` each adapter is given: it sees every HTTP attempt to the POS (the adapters and the
 * Square SDK send through it), so it counts calls by POS, endpoint and status for the metrics and
 * logs failures as events. Nothing of the request is logged but its method and path shape.
 */
import type { Logger } from '../log.ts';
import type { PossyncMetrics } from './metrics.ts';

/** "GET /API/V3/Account/:id/Item.json": ids (anything with a digit, or long tokens) become `:id`. */
export function endpointLabel(method: string, url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = '?';
  }
  const shape = path
    .split('/')
    .map((segment) => (/\d/.test(segment.replace(/\.json$/, '')) || segment.length > 24 ? ':id' : segment))
    .join('/');
  return `${method.toUpperCase()} ${shape}`;
}

export function observedFetch(
  base: typeof fetch,
  target: { pos: string; accountId: string; metrics?: PossyncMetrics; log: Logger },
): typeof fetch {
  const { pos, accountId, metrics, log } = target;
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const endpoint = endpointLabel(method, url);
    const started = Date.now();
    try {
      const response = await base(input, init);
      const status = String(response.status);
      metrics?.posCalls.inc({ pos, account: accountId, endpoint, status });
      const level = response.status === 429 || response.status >= 500 ? 'warn' : 'debug';
      log[level]({ event: 'pos.call', pos, accountId, endpoint, status: response.status, ms: Date.now() - started }, `${pos} ${endpoint} → ${status}`);
      return response;
    } catch (error) {
      const kind = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timeout' : 'network';
      metrics?.posCalls.inc({ pos, account: accountId, endpoint, status: kind });
      log.warn({ event: 'pos.call', pos, accountId, endpoint, status: kind, ms: Date.now() - started }, `${pos} ${endpoint} → ${kind}`);
      throw error;
    }
  }) as typeof fetch;
}
