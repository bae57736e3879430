/**
 * The one rule for an API without keys: it may listen on a loopback address only. The loader
 * applies it to the address that wins after the file, the environment and the command line, and
 * the service checks it again before listening, so no way of setting the address skips it.
 */
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Why this host and key list would expose an open API, or undefined when they are fine. */
export function openApiProblem(host: string, apiKeys: readonly string[]): string | undefined {
  if (apiKeys.some((key) => key.length > 0) || isLoopback(host)) return undefined;
  return `must hold at least one key when Server.Host is not a loopback address (${host} would expose an open API)`;
}
