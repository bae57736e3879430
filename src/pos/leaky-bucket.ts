import { bucketWaitMs, slidingWindowWaitMs, type RateLimitStore } from './rate-limit-store.ts';

/**
 * Client-side mirror of a leaky-bucket rate limit (Lightspeed). The server's headers are the
 * truth; between answers the level is estimated by draining at the drip rate. A request waits
 * until its cost fits under the size, so normal operation never earns a 429.
 */
export interface LeakyBucketOptions {
  size: number;
  dripPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Head-room kept free for estimation error (in units). */
  margin?: number;
  /**
   * Requests allowed per 1-second window by a secondary burst limiter (Lightspeed's
   * `X-LS-API-Burst-Level: n/max`); updated from the server's header. Omit for none.
   */
  burstPerSecond?: number;
  /**
   * Where this gate books its requests with everyone else's calling the same key (other
   * instances, other adapters of the account), bucket level and burst sends alike: the server
   * counts them all. Omit: this gate's own estimate only.
   */
  shared?: { store: RateLimitStore; key: string };
}

/**
 * The shared burst window is booked before a request leaves, and requests from several callers
 * reach the server after uneven delays (their own queues, the event loop, the network): a second
 * plus a quarter keeps bookings a second apart from still landing in one server window.
 */
export const SHARED_BURST_WINDOW_MS = 1_250;

export class LeakyBucketGate {
  private level = 0;
  private at: number;
  private size: number;
  private drip: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly margin: number;
  private waitedMs = 0;
  private burst: number | undefined;
  /** Send times within the last second, oldest first. */
  private sent: number[] = [];
  private readonly shared: LeakyBucketOptions['shared'];
  /** The latest server reading of the level, and when it arrived, passed on to the shared store. */
  private lastReading: { level: number; at: number } | undefined;

  constructor(options: LeakyBucketOptions) {
    this.size = options.size;
    this.drip = options.dripPerSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.margin = options.margin ?? 1;
    this.burst = options.burstPerSecond;
    this.shared = options.shared;
    this.at = this.now();
  }

  /** Waits until `cost` units fit, then books them. Callers are served in order. */
  acquire(cost: number): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        for (let wait = this.waitFor(cost); wait > 0; wait = this.waitFor(cost)) {
          this.waitedMs += wait;
          await this.sleep(wait);
        }
        // Then room in the shared bucket and window: its wait lets this estimate drain too, so look again after.
        const shared = await this.bookShared(cost);
        if (shared.waitMs === 0) {
          this.drain();
          this.level = Math.max(this.level + cost, shared.level);
          break;
        }
        this.waitedMs += shared.waitMs;
        await this.sleep(shared.waitMs);
      }
      this.sent.push(this.now());
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Takes the server's reading (`X-LS-API-Bucket-Level: 37.5/90`, `X-LS-API-Drip-Rate: 1`). */
  observe(levelHeader: string | null, dripHeader: string | null): void {
    const match = levelHeader?.match(/^\s*([\d.]+)\s*\/\s*([\d.]+)\s*$/);
    const level = Number(match?.[1]);
    const size = Number(match?.[2]);
    // A reading that is not a number, or a bucket with no room at all, would stop every request
    // (and, booked in the shared store, every instance's): such a header is ignored.
    if (Number.isFinite(level) && Number.isFinite(size) && size > 0) {
      // A reading can be older than requests already booked and still in flight (answers come
      // back out of order), so it may raise the estimate but never lower it.
      this.drain();
      this.level = Math.max(this.level, level);
      this.size = size;
      this.at = this.now();
      this.lastReading = { level, at: this.at };
    }
    const drip = Number(dripHeader);
    if (dripHeader && Number.isFinite(drip) && drip > 0) this.drip = drip;
  }

  /** Takes the burst limiter's reading (`X-LS-API-Burst-Level: 3/20`): its per-second maximum. */
  observeBurst(header: string | null): void {
    const max = Number(header?.match(/^\s*[\d.]+\s*\/\s*(\d+)\s*$/)?.[1]);
    if (Number.isInteger(max) && max > 0) this.burst = max;
  }

  /** The estimated level now, and the bucket's size (for metrics). */
  reading(): { level: number; size: number } {
    this.drain();
    return { level: this.level, size: this.size };
  }

  /** Milliseconds spent waiting for room, for benchmarks. */
  totalWaitMs(): number {
    return this.waitedMs;
  }

  private async bookShared(cost: number): Promise<{ waitMs: number; level: number }> {
    if (!this.shared) return { waitMs: 0, level: 0 };
    const last = this.lastReading;
    const reading = last && { level: last.level, size: this.size, dripPerSecond: this.drip, ageMs: Math.max(0, this.now() - last.at) };
    return this.shared.store.book(this.shared.key, {
      cost,
      bucket: { size: this.size, dripPerSecond: this.drip, margin: this.margin, ...(reading && { reading }) },
      ...(this.burst !== undefined && { burst: { limit: this.burst, windowMs: SHARED_BURST_WINDOW_MS } }),
    });
  }

  private drain(): void {
    const now = this.now();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.drip);
    this.at = now;
  }

  private waitFor(cost: number): number {
    this.drain();
    const bucketWait = bucketWaitMs(this.level, cost, { size: this.size, dripPerSecond: this.drip, margin: this.margin });
    return Math.max(bucketWait, this.burstWait());
  }

  /**
   * The server counts requests in fixed 1-second windows whose edges we cannot see, so we never
   * send more than `burst` in any sliding second: then no fixed window can hold more.
   */
  private burstWait(): number {
    return this.burst === undefined ? 0 : slidingWindowWaitMs(this.sent, this.burst, 1000, this.now());
  }
}
