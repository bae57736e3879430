import type { HiboutikConnection } from '../accounts.ts';
import { MonthlyCallBudget, type CallPurpose } from '../call-budget.ts';
import type { AdapterDeps } from '../deps.ts';
import { PosBadResponseError, PosError, PosQuotaExhaustedError, PosRateLimitedError } from '../errors.ts';
import { parseJson, PosHttp, type HttpAnswer, type HttpRequest } from '../http.ts';
import { DEFAULT_RETRY_POLICY } from '../retry.ts';
import { makeRedactor, mapHiboutikError, QuotaRefusalDetector, type Redact } from './errors.ts';
import type { QuotaState } from '../contract.ts';

/** Rows per page on Hiboutik's paged lists. */
export const PAGE_SIZE = 250;
/** A runaway guard: 400 pages = 100,000 rows, far past any shop. */
const MAX_PAGES = 400;

export interface CallOptions {
  /** Which share of the monthly budget pays: polling reads, or sales (and their lookups). */
  purpose: CallPurpose;
  label?: string;
}

/**
 * The Hiboutik HTTP client: Basic auth, the monthly budget taken before every attempt, the
 * quota-refusal 429 told apart from the concurrency 429, and errors mapped without secrets.
 */
export class HiboutikClient {
  readonly http: PosHttp;
  readonly budget: MonthlyCallBudget;
  readonly redact: Redact;
  private readonly base: URL;
  private readonly authorization: string;
  private readonly purposes = new WeakMap<HttpRequest, CallPurpose>();
  private readonly now: () => number;
  /** Set when Hiboutik itself refused us for quota: nothing more until this date. */
  private refusedUntil: Date | null = null;
  private readonly refusals = new QuotaRefusalDetector();
  private readonly callsPerMonth: number;

  constructor(connection: HiboutikConnection, deps: AdapterDeps) {
    this.now = deps.now ?? Date.now;
    this.callsPerMonth = connection.maximumRequests;
    this.base = new URL(connection.baseUrl.endsWith('/') ? connection.baseUrl : `${connection.baseUrl}/`);
    this.authorization = `Basic ${Buffer.from(`${connection.email}:${connection.apiKey}`).toString('base64')}`;
    this.redact = makeRedactor([connection.apiKey, connection.email, this.authorization]);
    this.budget = new MonthlyCallBudget({
      callsPerMonth: connection.maximumRequests,
      reserveForWrites: connection.reserveForSales,
      now: this.now,
      store: deps.budgetStore,
    });
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.http = new PosHttp('Hiboutik', {
      fetch: deps.fetch,
      timeoutMs: deps.timeoutMs,
      policy: { ...DEFAULT_RETRY_POLICY, ...deps.policy },
      // After a quota refusal the retry is stopped by beforeAttempt: no point waiting for it.
      sleep: (ms) => (this.refusedUntil ? Promise.resolve() : sleep(ms)),
      hooks: {
        beforeAttempt: async (request) => {
          this.checkRefusal();
          await this.budget.take(this.purposes.get(request) ?? 'read');
        },
        afterAnswer: (answer) => this.noticeQuotaRefusal(answer),
      },
    });
  }

  calls(): number {
    return this.http.calls();
  }

  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.base).toString();
  }

  async get<T>(path: string, options: CallOptions): Promise<{ body: T; answer: HttpAnswer }> {
    return this.json<T>({ method: 'GET', url: this.url(path), idempotent: true, label: options.label ?? `GET ${path}` }, options.purpose);
  }

  /** A form-encoded write, as the official PHP client sends them. */
  async write<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, fields: Record<string, string | number>, options: { idempotent: boolean; label?: string }): Promise<T> {
    const body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const request: HttpRequest = {
      method,
      url: this.url(path),
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      idempotent: options.idempotent,
      label: options.label ?? `${method} ${path}`,
    };
    return (await this.json<T>(request, 'write')).body;
  }

  /**
   * Pages of a list, by `?p=N`. Hiboutik's documented headers have no rel="next": more pages
   * follow while `Content-Range: X-Y/Z` counts fewer rows read than Z, or (without it) while the
   * page is before the `Link` rel="last" page; a rel="next", if one appears, is followed (same
   * origin only, so credentials never leave the shop's host). Without either header,
   * `untilEmpty` asks for `?p=N+1` while pages come back full; otherwise one answer is the whole
   * list (the warehouse stock route, which may not page).
   */
  async *pages<T>(path: string, options: CallOptions & { untilEmpty: boolean }): AsyncGenerator<T[], void, undefined> {
    let url: string | null = this.url(path);
    let firstKey: string | null = null;
    let read = 0;
    for (let page = 1; url && page <= MAX_PAGES; page++) {
      const label = `${options.label ?? `GET ${path}`}${page > 1 ? ` page ${page}` : ''}`;
      const { body, answer }: { body: unknown; answer: HttpAnswer } = await this.json<unknown>({ method: 'GET', url, idempotent: true, label }, options.purpose);
      if (!Array.isArray(body)) throw new PosBadResponseError(`Hiboutik ${label}: expected a list, got ${typeof body}`, answer.status);
      if (body.length === 0) return;
      // A server that ignores ?p would hand the first page back for ever.
      const key = JSON.stringify(body[0]);
      if (page > 1 && key === firstKey) return;
      firstKey ??= key;
      read += body.length;
      yield body as T[];
      const more: boolean | null = morePages(answer, page, read);
      const link: string | null = answer.headers.get('link');
      const next: string | null = link === null ? null : this.sameOrigin(linkRel(link, 'next'));
      if (next !== null) url = next;
      else if (more !== null) url = more ? withPage(url, page + 1) : null;
      else url = options.untilEmpty && body.length >= PAGE_SIZE ? withPage(url, page + 1) : null;
    }
  }

  private async json<T>(bare: HttpRequest, purpose: CallPurpose): Promise<{ body: T; answer: HttpAnswer }> {
    const request: HttpRequest = { ...bare, headers: { accept: 'application/json', ...bare.headers, authorization: this.authorization } };
    this.purposes.set(request, purpose);
    let answer: HttpAnswer;
    try {
      answer = await this.http.send(request);
    } catch (error) {
      throw this.quotaInstead(error);
    }
    if (answer.status >= 300) throw mapHiboutikError(answer, request.label, this.redact);
    return { body: parseJson<T>(answer, `Hiboutik ${request.label}`), answer };
  }

  /** Where the month's quota stands, for status and health. */
  quotaState(): QuotaState {
    const usage = this.budget.usage();
    const refused = this.refusedUntil !== null && this.now() < this.refusedUntil.getTime();
    return {
      state: refused ? 'refused' : usage.used >= usage.limit ? 'spent' : 'ok',
      used: usage.used,
      limit: usage.limit,
      resumesAt: refused ? this.refusedUntil!.toISOString() : usage.used >= usage.limit ? nextMonthStart(this.now()).toISOString() : null,
    };
  }

  private noticeQuotaRefusal(answer: HttpAnswer): void {
    // The local count of calls is what the documented quota is measured against.
    if (!this.refusals.observe(answer.status, this.now(), { used: this.budget.usage().used, limit: this.callsPerMonth })) return;
    // Best effort: this instance stops on refusedUntil; another one learns from its own refusals.
    this.budget.exhaust().catch(() => {});
    this.refusedUntil = nextMonthStart(this.now());
  }

  private checkRefusal(): void {
    if (!this.refusedUntil) return;
    if (this.now() >= this.refusedUntil.getTime()) {
      this.refusedUntil = null;
      return;
    }
    throw new PosQuotaExhaustedError(
      `Hiboutik refused the call: the shop's monthly API quota is spent (it is shared with every app on the shop); calls resume ${this.refusedUntil.toISOString()}`,
      this.refusedUntil,
      this.now(),
    );
  }

  /** A quota 429 on the last allowed attempt surfaces as "rate limited": say what it really is. */
  private quotaInstead(error: unknown): unknown {
    if (error instanceof PosRateLimitedError && this.refusedUntil) {
      try {
        this.checkRefusal();
      } catch (quota) {
        return quota;
      }
    }
    if (error instanceof PosError) error.message = this.redact(error.message);
    return error;
  }

  private sameOrigin(url: string | null): string | null {
    if (url === null) return null;
    const next = new URL(url, this.base);
    if (next.origin !== this.base.origin) throw new PosBadResponseError(`Hiboutik paging link points to another host (${next.host})`);
    return next.toString();
  }
}

/** `<https://…?p=1>; rel="start", <…?p=3>; rel="last"` → the URL of one rel, or null. */
export function linkRel(header: string, rel: string): string | null {
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && new RegExp(`rel\\s*=\\s*"?${rel}"?`, 'i').test(match[2] ?? '')) return match[1] ?? null;
  }
  return null;
}

/**
 * Whether a page follows `page`, from `Content-Range: X-Y/Z` (rows read so far against the total
 * Z, so it does not matter whether X and Y count from 0 or 1) or else the `Link` rel="last"
 * page number; null when the answer has neither.
 */
export function morePages(answer: HttpAnswer, page: number, read: number): boolean | null {
  const total = /\/\s*(\d+)\s*$/.exec(answer.headers.get('content-range') ?? '')?.[1];
  if (total !== undefined) return read < Number(total);
  const last = linkRel(answer.headers.get('link') ?? '', 'last');
  if (last === null) return null;
  const lastPage = Number(new URL(last, 'http://x').searchParams.get('p'));
  return Number.isInteger(lastPage) && lastPage > 0 ? page < lastPage : null;
}

function withPage(url: string, page: number): string {
  const next = new URL(url);
  next.searchParams.set('p', String(page));
  return next.toString();
}

function nextMonthStart(ms: number): Date {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}
