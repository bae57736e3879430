import { setTimeout as sleepFor } from 'node:timers/promises';
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type AttemptOutcome, type RetryDecision, type RetryPolicy } from './retry.ts';
import { PosAmbiguousWriteError, PosBadResponseError, PosRateLimitedError, PosUnavailableError } from './errors.ts';

/**
 * The HTTP loop the hand-written adapters share: one attempt = one counted API call, retries
 * decided by `decideRetry`, waits past the inline limit handed back to the job queue as errors.
 * Non-retried answers (2xx and final 4xx) are returned for the adapter to read or map.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Safe to send twice: reads, and writes the POS deduplicates by key. */
  idempotent: boolean;
  /** Names the call in errors ("GET ItemShop.json"); never holds a secret. */
  label: string;
  /** Gate cost for rate-limited POS (defaults to 1). */
  cost?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpHooks {
  /** Runs before each attempt is sent: waits on a rate-limit gate, takes from a call budget. */
  beforeAttempt?(request: HttpRequest): Promise<void>;
  /** Sees every answer, e.g. to read rate-limit headers. */
  afterAnswer?(answer: HttpAnswer, request: HttpRequest): void;
}

export interface PosHttpOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  policy?: RetryPolicy;
  hooks?: HttpHooks;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called with each retry decision, for logs and tests. */
  onRetry?: (decision: RetryDecision, request: HttpRequest, attempt: number) => void;
}

export class PosHttp {
  private count = 0;
  private readonly fetchImpl: typeof fetch;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly pos: string,
    private readonly options: PosHttpOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? fetch;
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
  }

  calls(): number {
    return this.count;
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      await this.options.hooks?.beforeAttempt?.(request);
      this.count += 1;
      let outcome: AttemptOutcome;
      let cause: unknown;
      try {
        const response = await this.fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const answer: HttpAnswer = { status: response.status, headers: response.headers, text: await response.text() };
        this.options.hooks?.afterAnswer?.(answer, request);
        if (answer.status < 400 || (answer.status !== 408 && answer.status !== 429 && answer.status < 500)) return answer;
        outcome = { type: 'status', status: answer.status, retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')) };
      } catch (error) {
        cause = error;
        outcome = classifyFailure(error);
      }
      const decision = decideRetry(outcome, attempt, request.idempotent, this.policy);
      if (decision.retry && decision.waitMs <= this.policy.maxInlineWaitMs) {
        this.options.onRetry?.(decision, request, attempt);
        await this.sleep(decision.waitMs);
        continue;
      }
      throw this.failure(outcome, decision, request, cause);
    }
  }

  /** Sends and parses a JSON answer; 2xx only (other statuses go to `onError`). */
  async json<T>(request: HttpRequest, onError: (answer: HttpAnswer) => Error): Promise<{ body: T; answer: HttpAnswer }> {
    const answer = await this.send(request);
    if (answer.status >= 300) throw onError(answer);
    return { body: parseJson<T>(answer, `${this.pos} ${request.label}`), answer };
  }

  private failure(outcome: AttemptOutcome, decision: RetryDecision, request: HttpRequest, cause: unknown): Error {
    const what = `${this.pos} ${request.label}`;
    if (outcome.type === 'status' && outcome.status === 429) {
      return new PosRateLimitedError(`${what}: rate limited; retry in ${Math.ceil(decision.waitMs / 1000)} s`, decision.waitMs);
    }
    if (!request.idempotent && (outcome.type !== 'network' || outcome.afterSend)) {
      const how = outcome.type === 'status' ? `answered ${outcome.status}` : outcome.type === 'timeout' ? 'timed out' : 'lost the connection';
      return new PosAmbiguousWriteError(`${what} ${how}; the write may have been applied`, { cause });
    }
    const how = outcome.type === 'status' ? `answered ${outcome.status}` : outcome.type === 'timeout' ? `timed out after ${this.timeoutMs} ms` : 'could not be reached';
    return new PosUnavailableError(`${what} ${how} (${decision.reason})`, outcome.type === 'status' ? outcome.status : undefined, { cause });
  }
}

function classifyFailure(error: unknown): AttemptOutcome {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { type: 'timeout' };
  const code = (error as { cause?: { code?: string } })?.cause?.code ?? '';
  // Refused or unresolvable: the request never left, so even a write can be re-sent safely.
  const beforeSend = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
  return { type: 'network', afterSend: !beforeSend };
}

export function parseJson<T>(answer: HttpAnswer, what: string): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch (error) {
    throw new PosBadResponseError(`${what}: answer is not valid JSON (${answer.text.length} bytes, status ${answer.status})`, answer.status, { cause: error });
  }
}
