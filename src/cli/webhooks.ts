import { parseArgs } from 'node:util';
import { openCore } from '../core/open.ts';
import { DataFolderInUseError } from '../core/lock.ts';
import { DbTokenStore } from '../core/token-store.ts';
import { createAdapter } from '../pos/registry.ts';
import { setupWebhooks } from '../engine/webhook-setup.ts';
import { configFromFlags } from './serve.ts';

export const WEBHOOKS_USAGE = `Usage: possync webhooks setup <account id> [--config FILE] [--data-dir DIR] [--public-url URL] [--manual]

Registers possync's webhook URL with the account's POS where its API allows (Square: a webhook
subscription to inventory.count.updated; Hiboutik: /webhooks for sale, stock_order and product),
stores what proves a delivery genuine (Square's signature key; a new 256-bit URL token for
Hiboutik) and prints what was done, or what to paste where by hand. Lightspeed cannot push: the
command says how often possync polls its changes instead. Running it again replaces the earlier
registration.

Options:
  --public-url URL   where the POS reaches possync (default: Server.PublicUrl, else http://Host:Port)
  --manual           do not call the POS; print the steps to do in its back office
  --config FILE      configuration file (default: $POSSYNC_CONFIG, else ./appsettings.json)
  --data-dir DIR     embedded database folder (default: Core.DataFolder)

While possync serves on the embedded database, the folder is locked: use its API instead,
  curl -X POST http://127.0.0.1:5000/api/webhooks/<account id>/setup
`;

export async function webhooksCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      'public-url': { type: 'string' },
      manual: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, accountId, ...rest] = positionals;
  if (values.help || action === undefined) {
    out(WEBHOOKS_USAGE);
    return values.help ? 0 : 2;
  }
  if (action !== 'setup' || accountId === undefined || rest.length > 0) {
    out(WEBHOOKS_USAGE);
    return 2;
  }
  const config = await configFromFlags({ ...(values.config ? { config: values.config } : {}), ...(values['data-dir'] ? { 'data-dir': values['data-dir'] } : {}) }, out);
  if (!config) return 1;
  const account = config.accounts.find((a) => a.id === accountId);
  if (!account) {
    out(`no configured account has the id "${accountId}"; configured: ${config.accounts.map((a) => a.id).join(', ') || '(none)'}`);
    return 1;
  }
  const publicUrl = (values['public-url'] ?? config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(publicUrl)) throw new RangeError(`--public-url must be an http(s) URL without query (got "${publicUrl}")`);

  let core;
  try {
    core = await openCore(config.core, { accounts: config.accounts, onNotice: out });
  } catch (error) {
    if (!(error instanceof DataFolderInUseError)) throw error;
    out(`${error.message}`);
    out(`possync is running on this folder: ask it instead,  curl -X POST <possync>/api/webhooks/${encodeURIComponent(accountId)}/setup`);
    return 1;
  }
  try {
    const adapter = createAdapter(account.connection, { tokenStore: new DbTokenStore(core.sql, core.locks) });
    const result = await setupWebhooks(core.sql, { config: account, adapter }, { publicUrl, ...(values.manual ? { manual: true } : {}) });
    for (const line of result.lines) out(line);
    if (result.mode === 'manual') out(`webhook URL (holds its secret where it has a token; shown this once): ${result.notificationUrl}`);
    return 0;
  } finally {
    await core.close();
  }
}
