import { checkSwitches, readNumberSwitch, readSwitch } from '../kit/options.ts';

/**
 * How an ADJUSTMENT names its location. Square-Version 2026-07-15 retired `location_id` in favour
 * of `from_location_id`/`to_location_id` (Square's changelog; Square's own SDK test sets both to
 * the same location for a same-location change), so the default follows the request's version.
 * - `documented` (default): `legacy-only` when Square-Version < 2026-07-15; from that version
 *   `location_id` alone is refused, and `from_location_id` and/or `to_location_id` name the place
 *   (with `location_id` beside them it must agree, as in `either`).
 * - `by-version`: `legacy-only` when Square-Version < 2026-07-15, otherwise `both-required`.
 * - `either`: `location_id`, or `from_location_id` and/or `to_location_id` (one is enough).
 * - `both-required`: only the new form, with both fields set (equal for a same-location move).
 * - `legacy-only`: only `location_id` (the API before 2026-07-15, and the `square/legacy` SDK).
 */
export const ADJUSTMENT_LOCATION_MODES = ['documented', 'either', 'both-required', 'legacy-only', 'by-version'] as const;
export type AdjustmentLocationMode = (typeof ADJUSTMENT_LOCATION_MODES)[number];

/** The version that retired `InventoryAdjustment.location_id`. */
export const LOCATION_FIELDS_VERSION = '2026-07-15';
/** What the SDK v46 sends; used when a request carries no Square-Version (the app's pinned version). */
export const DEFAULT_SQUARE_VERSION = '2026-09-16';

/** OAuth scopes the simulator checks; `scopes=all` (default) grants every one. */
export const KNOWN_SCOPES = ['INVENTORY_READ', 'INVENTORY_WRITE', 'ITEMS_READ', 'MERCHANT_PROFILE_READ'] as const;
export type SquareScope = (typeof KNOWN_SCOPES)[number];

export interface SquareSwitches {
  adjustmentLocation: AdjustmentLocationMode;
  validate: boolean;
  squareVersion: string;
  countsDefaultLimit: number;
  scopes: ReadonlySet<SquareScope>;
}

export const SWITCH_NAMES = ['adjustmentLocation', 'validate', 'squareVersion', 'countsDefaultLimit', 'scopes'] as const;

export const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function readSquareSwitches(switches: Record<string, string> | undefined): SquareSwitches {
  checkSwitches(switches, SWITCH_NAMES, 'square');
  const squareVersion = switches?.squareVersion ?? DEFAULT_SQUARE_VERSION;
  if (!VERSION_PATTERN.test(squareVersion)) throw new RangeError(`switch squareVersion must look like YYYY-MM-DD (got "${squareVersion}")`);
  // The spec gives no default page size for counts (POS-APIS §5.2); 1000 (the maximum) unless told.
  const countsDefaultLimit = readNumberSwitch(switches, 'countsDefaultLimit', 1000);
  if (!(Number.isInteger(countsDefaultLimit) && countsDefaultLimit >= 1 && countsDefaultLimit <= 1000)) {
    throw new RangeError(`switch countsDefaultLimit must be an integer from 1 to 1000 (got "${switches?.countsDefaultLimit}")`);
  }
  return {
    adjustmentLocation: readSwitch(switches, 'adjustmentLocation', ADJUSTMENT_LOCATION_MODES, 'documented'),
    validate: readSwitch(switches, 'validate', ['on', 'off'] as const, 'on') === 'on',
    squareVersion,
    countsDefaultLimit,
    scopes: readScopes(switches?.scopes),
  };
}

function readScopes(value: string | undefined): ReadonlySet<SquareScope> {
  if (value === undefined || value === 'all') return new Set(KNOWN_SCOPES);
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !(KNOWN_SCOPES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new RangeError(`switch scopes must be "all" or a comma list of ${KNOWN_SCOPES.join(', ')} (unknown: ${unknown.join(', ')})`);
  return new Set(names as SquareScope[]);
}

/** Resolves `documented` and `by-version` against the request's Square-Version. */
export function effectiveLocationMode(mode: AdjustmentLocationMode, version: string): 'either' | 'both-required' | 'legacy-only' | 'retired-legacy' {
  if (mode !== 'by-version' && mode !== 'documented') return mode;
  if (version < LOCATION_FIELDS_VERSION) return 'legacy-only';
  return mode === 'by-version' ? 'both-required' : 'retired-legacy';
}
