/**
 * How secrets are shown anywhere a human reads them (rule 9: never in full). Long secrets keep
 * their first four characters so an operator can tell two tokens apart; short ones keep nothing.
 */
export function maskSecret(value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '(not set)';
  if (value.length < 16) return '***';
  return `${value.slice(0, 4)}…(masked)`;
}

/** A PostgreSQL URL with its password (in the user-info or a `password=` parameter) replaced. */
export function maskPostgresUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/^(password|sslpassword)$/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '(unparseable connection string, hidden)';
  }
}
