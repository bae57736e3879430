/**
 * Catalog sizes of bench:scale's simulators: 100,000 items across the three accounts, and the
 * items mapped per POS in the bulk part. BENCH_SCALE=0.1 shrinks all of them (a quick check).
 */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) throw new RangeError(`BENCH_SCALE must be in (0, 1], got ${process.env.BENCH_SCALE}`);
const scaled = (n: number) => Math.max(10, Math.round(n * SCALE));
export const SIZES = { square: scaled(60_000), lightspeed: scaled(10_000), hiboutik: scaled(30_000) } as const;
export const PER_POS = scaled(10_000);
