import type { LightspeedConnection } from '../accounts.ts';
import type { AdapterDeps } from '../deps.ts';
import { PosHttp, parseJson, type HttpAnswer } from '../http.ts';
import { LeakyBucketGate } from '../leaky-bucket.ts';
import { DEFAULT_RETRY_POLICY } from '../retry.ts';
import { PosBadResponseError } from '../errors.ts';
import { mapApiError, readErrorDetail, Redactor } from './errors.ts';
import { readListPage, type LsRecord } from './normalise.ts';
import { TokenManager } from './tokens.ts';

/**
 * The authenticated V3 client: bearer token (refreshed before expiry, and once on a 401
 * access_denied), the leaky-bucket gate in front of every attempt, cursor paging by following
 * `@attributes.next`, and error mapping. Knows nothing about stock or sales.
 */
export const BUCKET_DEFAULTS = { size: 90, dripPerSecond: 1, burstPerSecond: 20 } as const;

/**
 * Extra drips of an `or=` (developers.lightspeedhq.com/retail/introduction/parameters): none when
 * every operand names one field, else 1 per operand. (Range operators and relation fields, which
 * cost more, are never sent in an or= by this adapter.)
 */
export function orCost(operands: readonly string[]): number {
  const fields = new Set(operands.map((o) => o.slice(0, o.indexOf('='))));
  return fields.size > 1 ? operands.length : 0;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Full URL (from `url()` or a next link). */
  url: string;
  body?: unknown;
  idempotent: boolean;
  /** Bucket drips this request costs, so the gate can wait before sending it. */
  cost: number;
  label: string;
}

export class LightspeedClient {
  readonly http: PosHttp;
  readonly tokenHttp: PosHttp;
  readonly tokens: TokenManager;
  readonly gate: LeakyBucketGate;
  readonly redactor = new Redactor();
  private readonly accountBase: string;
  private readonly origin: string;

  constructor(
    readonly connection: LightspeedConnection,
    deps: AdapterDeps,
  ) {
    const now = deps.now ?? Date.now;
    const policy = { ...DEFAULT_RETRY_POLICY, ...deps.policy };
    // One bucket and burst window per Lightspeed account and OAuth client, whoever calls it.
    const shared = deps.rateLimits ? { store: deps.rateLimits, key: `lightspeed:${connection.accountId}:${connection.clientId}` } : undefined;
    this.gate = new LeakyBucketGate({ ...BUCKET_DEFAULTS, now, sleep: deps.sleep, shared });
    const common = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, policy, sleep: deps.sleep };
    this.http = new PosHttp('Lightspeed', {
      ...common,
      hooks: {
        beforeAttempt: (request) => this.gate.acquire(request.cost ?? 1),
        afterAnswer: (answer) => {
          this.gate.observe(answer.headers.get('x-ls-api-bucket-level'), answer.headers.get('x-ls-api-drip-rate'));
          this.gate.observeBurst(answer.headers.get('x-ls-api-burst-level'));
        },
      },
    });
    this.tokenHttp = new PosHttp('Lightspeed', common);
    this.tokens = new TokenManager({ connection, store: deps.tokenStore, http: this.tokenHttp, now, redactor: this.redactor });
    // The config holds the host (https://api.lightspeedapp.com); tolerate a base that already ends in /API/V3.
    const host = connection.apiBaseUrl.replace(/\/+$/, '').replace(/\/API(\/V3)?$/i, '');
    this.accountBase = `${host}/API/V3/Account/${encodeURIComponent(connection.accountId)}/`;
    this.origin = new URL(host).origin;
  }

  /**
   * `Item.json` + query → full URL. Values are encoded once; Lightspeed decodes `>=,` and `IN,[…]`.
   * `or` operands are each encoded and joined by a raw `|`: Lightspeed splits before decoding, so
   * an encoded `%7C` is a literal pipe, never a separator.
   */
  url(path: string, params: Record<string, string> = {}, or?: readonly string[]): string {
    let query = new URLSearchParams(params).toString();
    if (or?.length) query += `${query ? '&' : ''}or=${or.map(encodeURIComponent).join('|')}`;
    return `${this.accountBase}${path}${query ? `?${query}` : ''}`;
  }

  /** Sends with the current token; on a 401 access_denied refreshes once and sends again. */
  async send(request: ApiRequest): Promise<HttpAnswer> {
    let token = await this.tokens.accessToken();
    let answer = await this.attempt(request, token);
    if (answer.status === 401 && this.isExpiredToken(answer)) {
      // A 401 comes before any processing, so even a sale POST is safe to send again.
      token = await this.tokens.renewAfterRejection(token);
      answer = await this.attempt(request, token);
    }
    return answer;
  }

  /** A 2xx JSON answer, or the mapped PosError. */
  async json(request: ApiRequest): Promise<unknown> {
    const answer = await this.send(request);
    if (answer.status >= 300) throw mapApiError(answer, request.label, this.redactor);
    return parseJson<unknown>(answer, `Lightspeed ${request.label}`);
  }

  /** Every page of a list query, following the server's next URLs (never building cursors). */
  async *pages(path: string, params: Record<string, string>, entity: string, cost: number): AsyncGenerator<LsRecord[], void, undefined> {
    let url = this.url(path, params);
    const label = `GET ${path}`;
    while (url !== '') {
      const page = readListPage(await this.json({ method: 'GET', url, idempotent: true, cost, label }), entity);
      yield page.records;
      url = page.next === '' ? '' : this.checkedNext(page.next);
    }
  }

  /** Fetches one page only (a lookup that can never need a second one). */
  async firstPage(path: string, params: Record<string, string>, entity: string, cost: number, or?: readonly string[]): Promise<{ records: LsRecord[]; next: string }> {
    const url = this.url(path, params, or);
    return readListPage(await this.json({ method: 'GET', url, idempotent: true, cost: cost + orCost(or ?? []), label: `GET ${path}` }), entity);
  }

  private attempt(request: ApiRequest, token: string): Promise<HttpAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    return this.http.send({
      method: request.method,
      url: request.url,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      idempotent: request.idempotent,
      label: request.label,
      cost: request.cost,
    });
  }

  /** OAuth-shaped 401s mean the token died; the REST-shaped one (wrong account) will not heal. */
  private isExpiredToken(answer: HttpAnswer): boolean {
    const detail = readErrorDetail(answer);
    return detail.oauthError !== undefined || detail.errorClass === undefined;
  }

  /** Our bearer token only ever goes to the configured API host. */
  private checkedNext(next: string): string {
    let parsed: URL;
    try {
      parsed = new URL(next);
    } catch {
      throw new PosBadResponseError('Lightspeed @attributes.next is not a URL');
    }
    if (parsed.origin !== this.origin) throw new PosBadResponseError(`Lightspeed @attributes.next points at another host (${parsed.host}); not following it`);
    return next;
  }
}
