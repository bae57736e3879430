import type { PosConnection, PosType } from './accounts.ts';
import type { PosAdapter, RateLimitModel } from './contract.ts';
import type { AdapterDeps } from './deps.ts';
import type { PosModule } from './module.ts';
import { SQUARE_MODULE } from './square/config.ts';
import { LIGHTSPEED_MODULE } from './lightspeed/config.ts';
import { HIBOUTIK_MODULE } from './hiboutik/config.ts';

/**
 * The one place that knows which POS types exist. The mapped type makes the compiler check that
 * every PosType has a module, and that each module takes its own connection type.
 */
export const POS_MODULES: { readonly [K in PosType]: PosModule<K> } = {
  // In the original's Type order (1, 2, 3): messages list them so.
  square: SQUARE_MODULE,
  hiboutik: HIBOUTIK_MODULE,
  lightspeed: LIGHTSPEED_MODULE,
};

export const POS_TYPES = Object.keys(POS_MODULES) as PosType[];

/** The module of a connection's POS, typed loosely for callers that hold any connection. */
export function posModule(pos: PosType): PosModule<PosType> {
  return POS_MODULES[pos] as unknown as PosModule<PosType>;
}

export function createAdapter(connection: PosConnection, deps: AdapterDeps): PosAdapter {
  return posModule(connection.pos).createAdapter(connection as never, deps);
}

export function describeConnection(connection: PosConnection): string {
  return posModule(connection.pos).describe(connection as never);
}

/** Where a connection points (URL and location), with nothing secret in it. */
export function whereConnection(connection: PosConnection): string {
  return posModule(connection.pos).where(connection as never);
}

export function rateLimitOf(connection: PosConnection): RateLimitModel {
  return posModule(connection.pos).rateLimit(connection as never);
}
