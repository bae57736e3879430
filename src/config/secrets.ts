import type { PossyncConfig } from './types.ts';

/**
 * Every secret value the configuration holds, for the logger to scrub from every line: POS tokens,
 * keys and client secrets, API keys, and the passwords of both databases.
 */
export function configSecrets(config: PossyncConfig): string[] {
  const out: string[] = [...config.server.apiKeys];
  for (const account of config.accounts) {
    const c = account.connection;
    if (c.pos === 'square') out.push(c.accessToken);
    else if (c.pos === 'hiboutik') out.push(c.apiKey);
    else out.push(c.clientSecret, c.refreshToken, ...(c.accessToken ? [c.accessToken] : []));
  }
  if (config.sink.kind === 'mysql') out.push(config.sink.password);
  if (config.sink.kind === 'postgres') out.push(...urlPassword(config.sink.connectionString));
  if (config.core.kind === 'postgres') out.push(...urlPassword(config.core.connectionString));
  return out.filter((s) => s.length > 0);
}

function urlPassword(connectionString: string): string[] {
  try {
    const password = new URL(connectionString).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    const match = /(?:^|\s)password\s*=\s*'?([^'\s]+)/i.exec(connectionString);
    return match?.[1] ? [match[1]] : [];
  }
}
