/** Catalog sizes of bench:scale's simulators: 100,000 items across the three accounts. */
export const SIZES = { square: 60_000, lightspeed: 10_000, hiboutik: 30_000 } as const;
