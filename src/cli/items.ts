import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import type { BulkTaskJson } from '../api/schemas-bulk.ts';

export const ITEMS_USAGE = `Usage: possync items import FILE.csv [--dry-run] [--url URL] [--api-key KEY] [--report FILE.json]
       possync items auto-match --account ID --by sku|barcode [--dry-run] [--url URL] [--api-key KEY] [--report FILE.json]

import: maps every row of FILE.csv through a running possync (POST /api/items/bulk), as one job,
with a progress line, then prints how many rows were mapped, unchanged, updated, not found,
ambiguous, in conflict or invalid, and each row that was not mapped with the reason.

auto-match: the same for the shop table's own rows (POST /api/items/auto-match), matched to the
account's POS items by the shop table's SKU or barcode column (EcommerceTable.Columns.Sku or
.Barcode in the service's configuration). Preview with --dry-run first, then run it without.

  --account ID     (auto-match) the POS account to match against
  --by KEY         (auto-match) sku or barcode

  --dry-run        match and report only: nothing is written
  --url URL        the service (default http://127.0.0.1:5000, or POSSYNC_URL)
  --api-key KEY    X-Api-Key, when the service has API keys (or POSSYNC_API_KEY)
  --report FILE    also write the full report (every row) as JSON

Exit status: 0 when every row is mapped, unchanged or updated; 1 when some are not (or on error);
2 for a usage error. The CSV's columns are described in the README ("Onboarding a catalog").
`;

const OK_STATUSES = new Set(['mapped', 'unchanged', 'updated']);
/** Rows listed on the terminal; the rest are in --report. */
const LISTED = 50;

export async function itemsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      report: { type: 'string' },
      account: { type: 'string' },
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(ITEMS_USAGE);
    return 0;
  }
  const [action, file] = positionals;
  const importing = action === 'import' && file !== undefined && positionals.length === 2;
  const matching = action === 'auto-match' && positionals.length === 1 && values.account !== undefined && (values.by === 'sku' || values.by === 'barcode');
  if (!importing && !matching) {
    process.stderr.write(ITEMS_USAGE);
    return 2;
  }
  const base = (values.url ?? process.env.POSSYNC_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
  const apiKey = values['api-key'] ?? process.env.POSSYNC_API_KEY;
  const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
  let started: Response;
  if (importing) {
    const csv = await readFile(file!, 'utf8');
    started = await fetch(`${base}/api/items/bulk${values['dry-run'] ? '?dry_run=true' : ''}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: csv,
    });
  } else {
    const query = new URLSearchParams({ account_id: values.account!, by: values.by!, ...(values['dry-run'] ? { dry_run: 'true' } : {}) });
    started = await fetch(`${base}/api/items/auto-match?${query}`, { method: 'POST', headers });
  }
  if (started.status !== 202) throw new Error(`the service refused the ${importing ? 'file' : 'auto-match'} (${started.status}): ${await started.text()}`);
  let task = (await started.json()) as BulkTaskJson;
  const interactive = process.stderr.isTTY === true;
  let lastLine = '';
  while (task.state === 'queued' || task.state === 'running') {
    const line = `${task.dry_run ? 'dry run: ' : ''}${task.progress.stage}: ${task.progress.done}/${task.progress.total} rows${catalogText(task)}`;
    if (line !== lastLine) {
      // A progress line rewritten in place on a terminal, one line per change otherwise.
      process.stderr.write(interactive ? `\r${line}\u001b[K` : `${line}\n`);
      lastLine = line;
    }
    await delay(500);
    const answer = await fetch(`${base}/api/itemstask/${encodeURIComponent(task.id)}`, { headers });
    if (answer.status !== 200) throw new Error(`reading the import's progress failed (${answer.status}): ${await answer.text()}`);
    task = (await answer.json()) as BulkTaskJson;
  }
  if (interactive && lastLine !== '') process.stderr.write('\n');
  if (task.state === 'failed') throw new Error(`the import failed: ${task.error}`);
  if (values.report) await writeFile(values.report, `${JSON.stringify(task.report, null, 2)}\n`);

  const counts = Object.entries(task.counts ?? {}).filter(([, n]) => n > 0);
  out(`${task.dry_run ? "dry run (nothing written): " : ""}${task.progress.total} rows: ${counts.map(([status, n]) => `${n} ${status.replace('_', ' ')}`).join(', ')}`);
  for (const account of task.accounts) out(`  ${account.account_id}: ${account.catalog_items} catalog items read in ${account.pos_calls} POS calls`);
  const failed = (task.report ?? []).filter((row) => !OK_STATUSES.has(row.status));
  for (const row of failed.slice(0, LISTED)) {
    const candidates = row.candidates?.length ? ` (candidates: ${row.candidates.map((c) => `${c.item_pos_id} "${c.name}"`).join(', ')})` : '';
    out(`  row ${row.row} (${row.item_ecommerce_id}): ${row.status.replace('_', ' ')}: ${row.reason ?? ''}${candidates}`);
  }
  if (failed.length > LISTED) out(`  … and ${failed.length - LISTED} more${values.report ? ` (see ${values.report})` : ' (use --report FILE.json for all)'}`);
  return failed.length === 0 ? 0 : 1;
}

function catalogText(task: BulkTaskJson): string {
  const items = task.accounts.reduce((n, a) => n + a.catalog_items, 0);
  const calls = task.accounts.reduce((n, a) => n + a.pos_calls, 0);
  return items > 0 ? ` (${items} catalog items read, ${calls} POS calls)` : '';
}
