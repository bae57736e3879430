/**
 * A POS rate limit counted per account, whoever calls it (Lightspeed: per account and OAuth
 * client), kept where every caller books against it: other possync instances on the same core
 * database, other adapters of the account in one process.
 *
 * Two limits are booked together, since a request needs room in both:
 * - the leaky bucket. Each instance also mirrors the level Lightspeed reports on its answers, but
 *   an instance that has been quiet holds only an old reading, takes the bucket for empty, and
 *   sends everything it has queued before an answer corrects it: refused together with the
 *   instance that filled it (test/integration/lightspeed-instances-postgres.test.ts).
 * - the burst limiter (Lightspeed: 20 requests per 1-second window). It reports only a count, not
 *   when its window started, so sends are kept under the limit in any sliding window: then no
 *   fixed window can exceed it.
 */
export interface RateBooking {
  /** Drips this request costs. */
  cost: number;
  bucket: {
    size: number;
    dripPerSecond: number;
    /** Head-room kept free for estimation error. */
    margin: number;
    /**
     * The caller's latest server reading and how long ago it arrived (an age, so clocks need not
     * agree). Its size and drip are the server's, so they are kept for callers that have none yet
     * and would otherwise book against their defaults (a smaller real bucket would be overfilled).
     */
    reading?: { level: number; size: number; dripPerSecond: number; ageMs: number };
  };
  /** Sends allowed per window; omit when the POS has no such limit. */
  burst?: { limit: number; windowMs: number };
}

export interface RateLimitStore {
  /**
   * Books the request under `key` if both limits have room: `waitMs` 0, and the bucket's level
   * after it. Else nothing is booked and `waitMs` says when to ask again.
   */
  book(key: string, booking: RateBooking): Promise<{ waitMs: number; level: number }>;
}

/** A bucket's size and drip: the server's as last reported to any caller, else the caller's defaults. */
export interface BucketShape {
  size: number;
  dripPerSecond: number;
}

/** The shape to book against: the caller's reading's, else the one kept from earlier readings, else the defaults. */
export function bucketShape(booking: RateBooking, kept: BucketShape | undefined): BucketShape {
  const reading = booking.bucket.reading;
  if (reading) return { size: reading.size, dripPerSecond: reading.dripPerSecond };
  return kept ?? { size: booking.bucket.size, dripPerSecond: booking.bucket.dripPerSecond };
}

/** Milliseconds until `cost` fits under a bucket at `level`, keeping `margin` free; 0 if it fits now. */
export function bucketWaitMs(level: number, cost: number, bucket: BucketShape & { margin: number }): number {
  const over = level + cost - (bucket.size - bucket.margin);
  return over <= 0 ? 0 : Math.ceil((over / bucket.dripPerSecond) * 1000);
}

/**
 * Milliseconds until one more send fits `limit` sends in any sliding `windowMs`; 0 if it fits now.
 * `sent` (send times, oldest first) loses the times that left the window.
 */
export function slidingWindowWaitMs(sent: number[], limit: number, windowMs: number, now: number): number {
  while (sent.length > 0 && sent[0]! <= now - windowMs) sent.shift();
  return sent.length < limit ? 0 : sent[sent.length - limit]! + windowMs - now;
}

/** The bucket's level now: the kept level drained since it was booked, or the caller's reading drained since it arrived, whichever is higher. */
export function levelNow(kept: { level: number; ageMs: number } | undefined, shape: BucketShape, booking: RateBooking): number {
  const reading = booking.bucket.reading;
  const fromKept = kept ? kept.level - (kept.ageMs / 1000) * shape.dripPerSecond : 0;
  const fromReading = reading ? reading.level - (reading.ageMs / 1000) * reading.dripPerSecond : 0;
  return Math.max(0, fromKept, fromReading);
}

/** The wait both limits give a booking with the bucket at `level` and these sends in the window. */
export function bookingWaitMs(level: number, shape: BucketShape, booking: RateBooking, burstWaitMs: number): number {
  return Math.max(bucketWaitMs(level, booking.cost, { ...shape, margin: booking.bucket.margin }), burstWaitMs);
}

/** One process's bookings (the embedded core, tests): every adapter of the process shares it. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly keys = new Map<string, { level: number; at: number; shape?: BucketShape; sent: number[] }>();

  constructor(private readonly now: () => number = Date.now) {}

  async book(key: string, booking: RateBooking): Promise<{ waitMs: number; level: number }> {
    const now = this.now();
    const state = this.keys.get(key) ?? { level: 0, at: now, sent: [] };
    this.keys.set(key, state);
    const shape = bucketShape(booking, state.shape);
    state.level = levelNow({ level: state.level, ageMs: now - state.at }, shape, booking);
    state.at = now;
    if (booking.bucket.reading) state.shape = shape;
    const burstWait = booking.burst ? slidingWindowWaitMs(state.sent, booking.burst.limit, booking.burst.windowMs, now) : 0;
    const waitMs = bookingWaitMs(state.level, shape, booking, burstWait);
    if (waitMs > 0) return { waitMs, level: state.level };
    state.level += booking.cost;
    if (booking.burst) state.sent.push(now);
    return { waitMs: 0, level: state.level };
  }
}
