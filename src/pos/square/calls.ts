import { loadedSquareSdk } from './sdk.ts';
import { decideRetry, parseRetryAfter, type AttemptOutcome, type RetryDecision, type RetryPolicy } from '../retry.ts';
import {
  PosAmbiguousWriteError,
  PosAuthError,
  PosBadResponseError,
  PosError,
  PosNotFoundError,
  PosRateLimitedError,
  PosRejectedError,
  PosUnavailableError,
} from '../errors.ts';
import { TransportFailure, UnreadableAnswer } from './transport.ts';

/**
 * One retry loop for every Square call: each attempt is one HTTP request (the SDK runs with
 * `maxRetries: 0`), `decideRetry` says whether to go again, a wait longer than the policy's
 * inline limit becomes an error carrying the wait, and every failure leaves here as a typed
 * PosError. Messages are built from the call's label, status, Square's code/field and a redacted
 * detail, never from headers, so the access token cannot leak (DESIGN rule 9).
 */
export interface CallSpec {
  /** Names the call in errors, e.g. "counts batch-retrieve". */
  label: string;
  /** The OAuth scope the endpoint needs, named when Square answers INSUFFICIENT_SCOPES. */
  scope: string;
  /** A write Square deduplicates by idempotency key: re-sent after ambiguous failures. */
  keyedWrite?: boolean;
}

/** A 400 with Square's code and field kept, so the sale module can spot IDEMPOTENCY_KEY_REUSED. */
export class SquareRejectedError extends PosRejectedError {
  constructor(
    message: string,
    status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message, status);
    this.name = 'SquareRejectedError';
  }
}

type Outcome = AttemptOutcome | { type: 'unreadable'; detail: string };

export interface CallerOptions {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Strings never to repeat in a message (the access token). */
  secrets: readonly string[];
}

export class SquareCaller {
  /** Retry decisions taken, newest last (for logs and tests). */
  readonly retries: Array<{ label: string; attempt: number; decision: RetryDecision }> = [];

  constructor(private readonly options: CallerOptions) {}

  async run<T>(spec: CallSpec, attemptOnce: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { policy } = this.options;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let outcome: Outcome;
      let cause: unknown;
      try {
        return await attemptOnce();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        cause = error;
        outcome = this.outcomeOf(error);
        const final = this.finalError(outcome, spec, error);
        if (final) throw final;
      }
      // An unreadable answer to a keyed write is as ambiguous as a lost one: re-send the same body.
      const asRetry: AttemptOutcome = outcome.type === 'unreadable' ? { type: 'network', afterSend: true } : outcome;
      // Every call made here is safe to repeat: reads, and the one write Square deduplicates by key.
      const decision = decideRetry(asRetry, attempt, true, policy);
      if (outcome.type === 'status' && outcome.status === 429 && decision.waitMs > policy.maxInlineWaitMs) {
        throw new PosRateLimitedError(`square ${spec.label}: rate limited; retry in ${Math.ceil(decision.waitMs / 1000)} s`, decision.waitMs);
      }
      if (decision.retry && decision.waitMs <= policy.maxInlineWaitMs) {
        this.retries.push({ label: spec.label, attempt, decision });
        await this.options.sleep(decision.waitMs);
        continue;
      }
      throw this.exhausted(outcome, decision, spec, cause);
    }
  }

  private outcomeOf(error: unknown): Outcome {
    if (error instanceof UnreadableAnswer || error instanceof PosBadResponseError) return { type: 'unreadable', detail: error.message };
    const sdk = loadedSquareSdk();
    if (sdk && error instanceof sdk.SquareTimeoutError) return { type: 'timeout' };
    if (sdk && error instanceof sdk.SquareError) {
      const cause = error.cause;
      if (cause instanceof UnreadableAnswer) return { type: 'unreadable', detail: cause.message };
      if (cause instanceof TransportFailure) return cause.timedOut ? { type: 'timeout' } : { type: 'network', afterSend: cause.afterSend };
      if (typeof error.statusCode === 'number') {
        const header = error.rawResponse?.headers?.get?.('retry-after');
        const retryAfterMs = parseRetryAfter(header, this.options.now());
        return { type: 'status', status: error.statusCode, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      return { type: 'network', afterSend: true };
    }
    if (error instanceof TransportFailure) return error.timedOut ? { type: 'timeout' } : { type: 'network', afterSend: error.afterSend };
    return { type: 'network', afterSend: true };
  }

  /** Answers no retry can change: auth, not found, a refused request, an unreadable read. */
  private finalError(outcome: Outcome, spec: CallSpec, error: unknown): PosError | null {
    const what = `square ${spec.label}`;
    if (outcome.type === 'unreadable') {
      if (spec.keyedWrite) return null;
      // Shape checks (shapes.ts) already speak our language; transport-level junk is wrapped here.
      return error instanceof PosBadResponseError ? error : new PosBadResponseError(`${what}: ${outcome.detail}`, undefined, { cause: error });
    }
    if (outcome.type !== 'status') return null;
    const { status } = outcome;
    if (status === 408 || status === 429 || status >= 500) return null;
    const sdk = loadedSquareSdk();
    const first = sdk && error instanceof sdk.SquareError ? error.errors[0] : undefined;
    const code = typeof first?.code === 'string' ? first.code : 'UNKNOWN';
    const field = typeof first?.field === 'string' ? first.field : undefined;
    const detail = this.redact(typeof first?.detail === 'string' ? first.detail : '');
    const said = `${code}${field ? ` on ${field}` : ''}${detail ? `: ${detail}` : ''}`;
    if (status === 401) return new PosAuthError(`${what}: Square refused the access token (401 ${code}); renew or replace it`, 401);
    if (status === 403) {
      const message = code === 'INSUFFICIENT_SCOPES' ? `${what}: the access token lacks the ${spec.scope} permission (403 INSUFFICIENT_SCOPES)` : `${what}: forbidden (403 ${code})`;
      return new PosAuthError(message, 403);
    }
    if (status === 404) return new PosNotFoundError(`${what}: not found (404 ${said})`);
    return new SquareRejectedError(`${what}: refused (${status} ${said})`, status, code, field);
  }

  /** Transient failures that outlived the retries (or whose wait is for the job queue). */
  private exhausted(outcome: Outcome, decision: RetryDecision, spec: CallSpec, cause: unknown): PosError {
    const what = `square ${spec.label}`;
    const status = outcome.type === 'status' ? outcome.status : undefined;
    if (status === 429) return new PosRateLimitedError(`${what}: rate limited; retry in ${Math.ceil(decision.waitMs / 1000)} s`, decision.waitMs);
    const how =
      outcome.type === 'status' ? `answered ${outcome.status}`
      : outcome.type === 'timeout' ? 'timed out'
      : outcome.type === 'unreadable' ? `gave an unreadable answer (${outcome.detail})`
      : outcome.afterSend ? 'lost the connection' : 'could not be reached';
    const reachedSquare = !(outcome.type === 'network' && !outcome.afterSend);
    if (spec.keyedWrite && reachedSquare) {
      // Square may have applied it; the same idempotency key on the next attempt settles it.
      return new PosAmbiguousWriteError(`${what} ${how}; it may have been applied and is safe to re-send with the same key`, { cause });
    }
    return new PosUnavailableError(`${what} ${how} (${decision.reason})`, status, { cause });
  }

  private redact(text: string): string {
    let out = text.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
    for (const secret of this.options.secrets) if (secret) out = out.split(secret).join('[redacted]');
    return out.length > 200 ? `${out.slice(0, 200)}…` : out;
  }
}
