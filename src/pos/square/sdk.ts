import type * as SquareSdk from 'square';

/**
 * Square's official SDK, loaded at the first Square call rather than at start-up: importing it
 * builds every API resource it has, about 2 s of CPU that each possync process (and each command
 * that only reads the config) paid before doing anything.
 */
let loaded: typeof SquareSdk | undefined;

export async function squareSdk(): Promise<typeof SquareSdk> {
  loaded ??= await import('square');
  return loaded;
}

/** The SDK once a call has loaded it: before that, no error can be one of its classes. */
export function loadedSquareSdk(): typeof SquareSdk | undefined {
  return loaded;
}
