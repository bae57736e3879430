/**
 * Sends to one POS rate-limit key (Lightspeed: account + OAuth client) within a sliding window,
 * shared by everything that calls it. Lightspeed's burst limiter counts requests per account and
 * client in 1-second windows, whichever process sends them, and reports only the count, not when
 * its window started: two possync instances each keeping under the limit on their own were
 * refused together (test/integration/lightspeed-instances-postgres.test.ts). Keeping the sends of
 * every instance under the limit in any sliding window means no fixed window can exceed it.
 */
export interface SendWindowStore {
  /**
   * Books one send for `key` if fewer than `limit` were booked in the last `windowMs`: 0. Else
   * nothing is booked and the answer is how many milliseconds until the oldest booking leaves
   * the window (then ask again).
   */
  book(key: string, limit: number, windowMs: number): Promise<number>;
}

/** One process's sends (the embedded core, tests): every adapter of the process shares it. */
export class MemorySendWindowStore implements SendWindowStore {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async book(key: string, limit: number, windowMs: number): Promise<number> {
    const now = this.now();
    const times = (this.sent.get(key) ?? []).filter((at) => at > now - windowMs);
    this.sent.set(key, times);
    if (times.length < limit) {
      times.push(now);
      return 0;
    }
    return Math.max(1, times[times.length - limit]! + windowMs - now);
  }
}
