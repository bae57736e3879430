import type { StartSimulator } from './kit/options.ts';
import { startSquareSimulator } from './square/index.ts';
import { startLightspeedSimulator } from './lightspeed/index.ts';
import { startHiboutikSimulator } from './hiboutik/index.ts';

/** Every simulator by the name used on the command line; the compiler checks each entry. */
export const SIMULATORS = {
  square: startSquareSimulator,
  lightspeed: startLightspeedSimulator,
  hiboutik: startHiboutikSimulator,
} as const satisfies Record<string, StartSimulator>;

export type SimulatorName = keyof typeof SIMULATORS;

export function isSimulatorName(name: string): name is SimulatorName {
  return Object.hasOwn(SIMULATORS, name);
}
