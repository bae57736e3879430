/**
 * The R-Series leaky bucket, one per (account, OAuth client). Levels are kept in thousandths of a
 * drip so fractional costs (1.4 for a list with ItemShops) add up without float drift.
 *
 * Admission rule: a request is let in while the level is strictly below the size, and its whole
 * cost is added even if that takes the level past the size ("the request that first pushes the
 * level over is allowed"). Once at or above the size, requests get 429 and cost nothing until the
 * drip brings the level back below the size.
 */
export interface BucketConfig {
  size: number;
  dripRate: number;
  /** Requests allowed per 1-second window by the secondary burst limiter; 0 turns it off. */
  burstLimit: number;
}

export interface BucketDecision {
  allowed: boolean;
  /** Which limiter refused, when one did. */
  limiter?: 'api-leaky-bucket' | 'api-burst-limiter';
  retryAfterSeconds?: number;
  headers: Record<string, string>;
}

const MILLI = 1000;

/** "1.4", "90", "37.46": at most three decimals, no trailing zeros. */
export function formatDrips(milli: number): string {
  return String(Math.round(milli) / MILLI);
}

export function toMilli(cost: number): number {
  return Math.round(cost * MILLI);
}

export class LeakyBucket {
  private levelMilli = 0;
  private last: number;
  private windowStart = -1;
  private windowCount = 0;

  constructor(
    private readonly config: BucketConfig,
    private readonly now: () => number,
  ) {
    this.last = now();
  }

  /** The level after the drip up to now, in drips. */
  level(): number {
    this.drain();
    return this.levelMilli / MILLI;
  }

  /** Admits or refuses one request of `cost` drips and gives the headers to send either way. */
  take(cost: number, accountID: string, clientId: string): BucketDecision {
    this.drain();
    const sizeMilli = this.config.size * MILLI;
    const window = Math.floor(this.now() / 1000);
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.windowCount = 0;
    }
    if (this.levelMilli >= sizeMilli) {
      // Seconds until the level is strictly below the size again.
      const over = (this.levelMilli - sizeMilli) / (this.config.dripRate * MILLI);
      const retryAfterSeconds = Math.floor(over) + 1;
      return { allowed: false, limiter: 'api-leaky-bucket', retryAfterSeconds, headers: this.headers(0, accountID, clientId, 'api-leaky-bucket', retryAfterSeconds) };
    }
    if (this.config.burstLimit > 0 && this.windowCount >= this.config.burstLimit) {
      const retryAfterSeconds = 1;
      return { allowed: false, limiter: 'api-burst-limiter', retryAfterSeconds, headers: this.headers(0, accountID, clientId, 'api-burst-limiter', retryAfterSeconds) };
    }
    this.windowCount += 1;
    this.levelMilli += toMilli(cost);
    return { allowed: true, headers: this.headers(cost, accountID, clientId) };
  }

  /** Headers describing the current state without charging anything (for injected faults). */
  peekHeaders(accountID: string, clientId: string, limiter?: string, retryAfterSeconds?: number): Record<string, string> {
    this.drain();
    return this.headers(0, accountID, clientId, limiter, retryAfterSeconds);
  }

  private headers(cost: number, accountID: string, clientId: string, limiter?: string, retryAfterSeconds?: number): Record<string, string> {
    const burstMax = this.config.burstLimit > 0 ? this.config.burstLimit : this.config.size;
    const headers: Record<string, string> = {
      'x-ls-api-bucket-level': `${formatDrips(this.levelMilli)}/${this.config.size}`,
      'x-ls-api-drip-rate': String(this.config.dripRate),
      'x-ls-api-request-cost': formatDrips(toMilli(cost)),
      'x-ls-api-burst-level': `${this.windowCount}/${burstMax}`,
      'x-ls-acct-id': accountID,
      'x-ls-oauth-client-id': clientId,
    };
    if (limiter) headers['x-ls-api-ratelimit-type'] = limiter;
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    return headers;
  }

  private drain(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    // dripRate drips per second = dripRate thousandths per millisecond.
    this.levelMilli = Math.max(0, this.levelMilli - elapsed * this.config.dripRate);
  }
}

/** Extra cost of load_relations (§2.8): to-one 0.1, to-many 0.2, doubled on list endpoints. */
export function relationsCost(relations: ReadonlyArray<{ many: boolean }>, list: boolean): number {
  const sum = relations.reduce((total, r) => total + (r.many ? 0.2 : 0.1), 0);
  return list ? sum * 2 : sum;
}
