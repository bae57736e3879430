import { Section } from './reader.ts';

/**
 * The breaker's thresholds (issue 12): a poll whose plan crosses one is held for an operator
 * instead of written. `Breaker` at the top of the config sets them for every account; the same
 * section inside a `PosConfigurations` entry overrides single keys for that account.
 */
export interface BreakerSettings {
  /** Hold when more than this share of the account's counted items would be set to 0 or lost. */
  maxZeroedShare: number;
  /** Hold when more than this many items would be set to 0 or lost. */
  maxZeroed: number;
  /** Hold when the account's total available would drop by more than this share. */
  maxDropShare: number;
  /**
   * The two share rules apply only to accounts with at least this many counted items: in a shop
   * of three items, one selling out is a third of the catalog and no glitch. 0 = always.
   */
  minItems: number;
  /** Webhook and change-poll updates are measured together over this many minutes. */
  windowMinutes: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  maxZeroedShare: 0.2,
  maxZeroed: 50,
  maxDropShare: 0.5,
  minItems: 10,
  windowMinutes: 10,
};

export const BREAKER_KEYS = ['MaxZeroedShare', 'MaxZeroed', 'MaxDropShare', 'MinItems', 'WindowMinutes'] as const;

/** Reads a Breaker section; keys left out are absent (the caller falls back). */
export function readBreaker(section: Section): Partial<BreakerSettings> {
  const out: Partial<BreakerSettings> = {};
  const maxZeroedShare = section.share('MaxZeroedShare');
  const maxZeroed = section.int('MaxZeroed', { min: 0 });
  const maxDropShare = section.share('MaxDropShare');
  const minItems = section.int('MinItems', { min: 0 });
  const windowMinutes = section.int('WindowMinutes', { min: 1, max: 24 * 60 });
  if (maxZeroedShare !== undefined) out.maxZeroedShare = maxZeroedShare;
  if (maxZeroed !== undefined) out.maxZeroed = maxZeroed;
  if (maxDropShare !== undefined) out.maxDropShare = maxDropShare;
  if (minItems !== undefined) out.minItems = minItems;
  if (windowMinutes !== undefined) out.windowMinutes = windowMinutes;
  section.finish(BREAKER_KEYS);
  return out;
}

export function describeBreaker(b: BreakerSettings): string {
  const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;
  return `hold a run that would zero or lose more than ${pct(b.maxZeroedShare)} of the counted items (from ${b.minItems} items) or more than ${b.maxZeroed}, ` +
    `or drop the total available by more than ${pct(b.maxDropShare)}; webhooks and change polls measured over ${b.windowMinutes} min`;
}
