import type { PosConnection, PosType } from './accounts.ts';
import type { PosAdapter } from './contract.ts';
import type { AdapterDeps } from './deps.ts';
import { createSquareAdapter } from './square/index.ts';
import { createLightspeedAdapter } from './lightspeed/index.ts';
import { createHiboutikAdapter } from './hiboutik/index.ts';

/**
 * The one place that knows which POS types exist. Each entry takes its own connection type, and
 * the mapped type makes the compiler check that every PosType has a factory.
 */
type Factories = { [K in PosType]: (connection: Extract<PosConnection, { pos: K }>, deps: AdapterDeps) => PosAdapter };

const FACTORIES: Factories = {
  square: createSquareAdapter,
  lightspeed: createLightspeedAdapter,
  hiboutik: createHiboutikAdapter,
};

export function createAdapter(connection: PosConnection, deps: AdapterDeps): PosAdapter {
  const factory = FACTORIES[connection.pos] as (connection: PosConnection, deps: AdapterDeps) => PosAdapter;
  return factory(connection, deps);
}

export const POS_TYPES = Object.keys(FACTORIES) as PosType[];
