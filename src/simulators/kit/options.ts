import type { KitOptions, RunningSimulator, SimulatorKit } from './server.ts';
import type { SeedFile } from './seed.ts';

/** Options every simulator takes; each POS adds its own typed switches on top. */
export interface SimulatorOptions extends KitOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A seed file's content; when absent a catalog of `items` × `locations` is generated. */
  seed?: SeedFile;
  items?: number;
  locations?: number;
  /** POS-specific switches as text (from `--switch name=value` on the command line). */
  switches?: Record<string, string>;
}

export interface Simulator extends RunningSimulator {
  name: string;
  kit: SimulatorKit;
  credentials(): Record<string, unknown>;
}

export type StartSimulator = (options?: SimulatorOptions) => Promise<Simulator>;

/** Reads a documented switch, refusing values outside its list so a typo never passes silently. */
export function readSwitch<T extends string>(switches: Record<string, string> | undefined, name: string, allowed: readonly T[], fallback: T): T {
  const value = switches?.[name];
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`switch ${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

export function readNumberSwitch(switches: Record<string, string> | undefined, name: string, fallback: number): number {
  const value = switches?.[name];
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new RangeError(`switch ${name} must be a number (got "${value}")`);
  return number;
}

/** Names the switches a simulator knows, so an unknown one stops start-up with a clear message. */
export function checkSwitches(switches: Record<string, string> | undefined, known: readonly string[], simulator: string): void {
  const unknown = Object.keys(switches ?? {}).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new RangeError(`unknown switch${unknown.length > 1 ? 'es' : ''} for the ${simulator} simulator: ${unknown.join(', ')} (known: ${known.join(', ') || 'none'})`);
  }
}
