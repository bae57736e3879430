import type { RetryDecision } from './retry.ts';

/**
 * Typed adapter failures. The engine branches on `kind` and on the retry decision, never on a
 * POS name or a message. Messages never carry secrets: they are built from ids and statuses only.
 */
export type PosErrorKind =
  | 'auth'
  | 'not_found'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'ambiguous_write'
  | 'bad_response'
  | 'rejected'
  | 'unavailable';

export class PosError extends Error {
  constructor(
    readonly kind: PosErrorKind,
    message: string,
    readonly retry: RetryDecision,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PosError';
  }
}

/** Credentials refused or expired beyond refresh: an operator must act. */
export class PosAuthError extends PosError {
  constructor(message: string, status?: number) {
    super('auth', message, { retry: false, reason: 'credentials refused', waitMs: 0 }, status);
    this.name = 'PosAuthError';
  }
}

export class PosNotFoundError extends PosError {
  constructor(
    message: string,
    /** Names (with ids) that came close, best first, so the caller can say what was meant. */
    readonly closeMatches: ReadonlyArray<{ posItemId: string; name: string; sku?: string }> = [],
  ) {
    super('not_found', message, { retry: false, reason: 'no such item', waitMs: 0 }, 404);
    this.name = 'PosNotFoundError';
  }
}

/** The POS asked us to slow down for longer than a worker should wait inline. */
export class PosRateLimitedError extends PosError {
  constructor(message: string, waitMs: number, status = 429) {
    super('rate_limited', message, { retry: true, reason: 'rate limited', waitMs }, status);
    this.name = 'PosRateLimitedError';
  }
}

/** A call budget is spent (Hiboutik's monthly quota); retrying before `resetsAt` is pointless. */
export class PosQuotaExhaustedError extends PosError {
  constructor(
    message: string,
    readonly resetsAt: Date,
    now = Date.now(),
  ) {
    super('quota_exhausted', message, { retry: true, reason: 'call quota spent', waitMs: Math.max(0, resetsAt.getTime() - now) }, 429);
    this.name = 'PosQuotaExhaustedError';
  }
}

/** A write may or may not have been applied: look it up by reference before any re-post. */
export class PosAmbiguousWriteError extends PosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ambiguous_write', message, { retry: true, reason: 'write outcome unknown', waitMs: 0 }, undefined, options);
    this.name = 'PosAmbiguousWriteError';
  }
}

/** The POS answered something we cannot read (malformed JSON, missing fields). */
export class PosBadResponseError extends PosError {
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super('bad_response', message, { retry: true, reason: 'unreadable answer', waitMs: 1000 }, status, options);
    this.name = 'PosBadResponseError';
  }
}

/** The POS refused the request as invalid (4xx other than auth/not-found/rate-limit). */
export class PosRejectedError extends PosError {
  constructor(message: string, status?: number) {
    super('rejected', message, { retry: false, reason: 'request refused', waitMs: 0 }, status);
    this.name = 'PosRejectedError';
  }
}

/** 5xx or network failure on a read (or on a write that certainly did not apply). */
export class PosUnavailableError extends PosError {
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super('unavailable', message, { retry: true, reason: 'POS unavailable', waitMs: 1000 }, status, options);
    this.name = 'PosUnavailableError';
  }
}

/**
 * A sale step failed after the POS already held part of the sale (Hiboutik: the line added, the
 * close refused; Lightspeed: an open sale under our reference). Keeps the cause's kind and retry
 * decision; when the engine gives up on it, the sale is `incomplete`, not `failed`: the POS holds
 * `posReference`, so releasing its units or posting it afresh could lose or double it.
 */
export class PosSaleUnfinishedError extends PosError {
  constructor(
    /** The POS's id for what it holds (the sale id), kept on the sale as its POS reference. */
    readonly posReference: string,
    /** What the POS holds, in words ("Hiboutik holds it as sale 12, line added, not closed"). */
    holds: string,
    cause: unknown,
  ) {
    const inner = cause instanceof PosError ? cause : null;
    super(
      inner?.kind ?? 'unavailable',
      `${holds}: ${cause instanceof Error ? cause.message : String(cause)}`,
      inner?.retry ?? { retry: true, reason: 'unexpected failure', waitMs: 1000 },
      inner?.status,
      { cause },
    );
    this.name = 'PosSaleUnfinishedError';
  }
}
