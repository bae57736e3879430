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
}

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

  constructor(options: LeakyBucketOptions) {
    this.size = options.size;
    this.drip = options.dripPerSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.margin = options.margin ?? 1;
    this.at = this.now();
  }

  /** Waits until `cost` units fit, then books them. Callers are served in order. */
  acquire(cost: number): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.waitFor(cost);
      if (wait > 0) {
        this.waitedMs += wait;
        await this.sleep(wait);
      }
      this.drain();
      this.level += cost;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Takes the server's reading (`X-LS-API-Bucket-Level: 37.5/90`, `X-LS-API-Drip-Rate: 1`). */
  observe(levelHeader: string | null, dripHeader: string | null): void {
    const match = levelHeader?.match(/^\s*([\d.]+)\s*\/\s*([\d.]+)\s*$/);
    if (match) {
      this.level = Number(match[1]);
      this.size = Number(match[2]);
      this.at = this.now();
    }
    const drip = Number(dripHeader);
    if (dripHeader && Number.isFinite(drip) && drip > 0) this.drip = drip;
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

  private drain(): void {
    const now = this.now();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.drip);
    this.at = now;
  }

  private waitFor(cost: number): number {
    this.drain();
    const room = this.size - this.margin - this.level;
    if (room >= cost) return 0;
    return Math.ceil(((cost - room) / this.drip) * 1000);
  }
}
