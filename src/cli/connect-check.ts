/**
 * `check-config --connect`: reach everything the configuration names, read-only, and say for
 * each one ok or failed with the reason. Reasons pass through `redact` and the config's own
 * secrets are scrubbed: these lines go to terminals and CI logs.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { PossyncConfig } from '../config/types.ts';
import { maskPostgresUrl } from '../config/mask.ts';
import { configSecrets } from '../config/secrets.ts';
import { createAdapter } from '../pos/registry.ts';
import { MemoryTokenStore } from '../pos/token-store.ts';
import { openSink, SinkError } from '../sink/open.ts';
import { shopTableDdl } from '../sink/ddl.ts';
import { scrubber } from '../log.ts';

export interface CheckLine {
  what: string;
  ok: boolean;
  detail: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

export async function connectChecks(config: PossyncConfig): Promise<CheckLine[]> {
  const clean = scrubber(configSecrets(config));
  const reason = (error: unknown) => clean(error instanceof Error ? error.message || error.name : String(error));
  const lines: CheckLine[] = [];

  // The core: PostgreSQL is connected to; the embedded folder is not opened (a running possync
  // holds its lock, and opening would create or migrate it), only checked.
  if (config.core.kind === 'postgres') {
    const client = new pg.Client({ connectionString: config.core.connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      lines.push({ what: 'core database', ok: true, detail: `PostgreSQL ${maskPostgresUrl(config.core.connectionString)}` });
    } catch (error) {
      lines.push({ what: 'core database', ok: false, detail: `PostgreSQL ${maskPostgresUrl(config.core.connectionString)}: ${reason(error)}` });
    } finally {
      await client.end().catch(() => {});
    }
  } else {
    const dir = config.core.dataDir;
    const where = existsSync(dir) ? dir : existsSync(dirname(dir)) ? `${dir} (created at the first start)` : null;
    lines.push(
      where
        ? { what: 'core database', ok: true, detail: `embedded PGlite in ${where}` }
        : { what: 'core database', ok: false, detail: `embedded PGlite: neither ${dir} nor its parent folder exists` },
    );
  }

  // The shop table: opened without creating anything, which checks the table and its columns.
  if (config.sink.kind === 'embedded') {
    lines.push({ what: 'shop table', ok: true, detail: `embedded: table ${config.sinkTable.name} is created inside the core database at start` });
  } else {
    try {
      const sink = await openSink(config.sink, config.sinkTable, {});
      lines.push({ what: 'shop table', ok: true, detail: sink.describe() });
      await sink.close();
    } catch (error) {
      const missing = error instanceof SinkError && /does not exist|has no column/.test(error.message);
      lines.push({
        what: 'shop table',
        ok: false,
        detail: missing
          ? `${reason(error)}\nTo create it (or run \`possync migrate --sink\`):\n${shopTableDdl(config.sink, config.sinkTable)}`
          : reason(error),
      });
    }
  }

  // One read-only call per account: the count of one item id at its location, which needs valid
  // credentials and an existing location, shop or warehouse.
  for (const account of config.accounts) {
    const adapter = createAdapter(account.connection, {
      tokenStore: new MemoryTokenStore(),
      timeoutMs: CONNECT_TIMEOUT_MS,
      policy: { maxAttempts: 1 },
    });
    const what = `account ${account.id} (${account.connection.pos})`;
    try {
      for await (const page of adapter.readCounts(['0'])) void page;
      lines.push({ what, ok: true, detail: `${adapter.apiCalls()} read-only call${adapter.apiCalls() === 1 ? '' : 's'} answered` });
    } catch (error) {
      lines.push({ what, ok: false, detail: reason(error) });
    }
  }
  return lines;
}
