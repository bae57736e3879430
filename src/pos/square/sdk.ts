import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

type SdkFetcher = NonNullable<SquareSdk.BaseClientOptions['fetcher']>;

/**
 * The SDK's own fetcher (URL and body building, error bodies), minus its per-request timer. The
 * SDK clears that timer only when the fetch succeeds: after a failed attempt (a reset, our own
 * timeout) it stays armed for the whole `timeoutInSeconds`, so `possync serve` stopped only that
 * long after its last failed Square call, and a test process lingered. Our counting fetch times
 * every attempt out itself (transport.ts), with a timer that holds nothing up.
 * The package does not export its fetcher, so it is loaded by file; should a later SDK move it,
 * the client keeps the SDK's fetcher and timer (undefined here), which only delays exit again.
 */
let untimed: { fetcher: SdkFetcher | undefined } | undefined;

export function fetcherWithoutSdkTimer(): SdkFetcher | undefined {
  untimed ??= { fetcher: loadFetcherWithoutSdkTimer() };
  return untimed.fetcher;
}

function loadFetcherWithoutSdkTimer(): SdkFetcher | undefined {
  try {
    const require = createRequire(import.meta.url);
    const fetcherFile = join(dirname(require.resolve('square')), 'core', 'fetcher', 'Fetcher.js');
    const sdkFetcher = (require(fetcherFile) as { fetcher?: unknown }).fetcher;
    if (typeof sdkFetcher !== 'function') return undefined;
    return ((args) => (sdkFetcher as SdkFetcher)({ ...args, timeoutMs: undefined })) as SdkFetcher;
  } catch {
    return undefined;
  }
}
