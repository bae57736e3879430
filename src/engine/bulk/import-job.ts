import { finishImport, getImport, saveProgress } from '../../core/imports.ts';
import type { AccountSet } from '../accounts.ts';
import { describeError } from '../errors.ts';
import type { SyncContext } from '../sync.ts';
import type { ImportSummary, RowReport } from './report.ts';
import type { BulkRow } from './rows.ts';
import { runBulk } from './run.ts';

/** Progress is saved at most this often (a Lightspeed catalog yields a page a second). */
const PROGRESS_EVERY_MS = 500;

/**
 * The bulk-import job: runs the stored rows and keeps progress and the report in item_imports.
 * A POS or database failure fails the import with its reason (re-running it is safe: mapping is
 * idempotent); returns a line for the log.
 */
export async function runImport(context: SyncContext, accounts: AccountSet, importId: string): Promise<string> {
  const sql = context.core.sql;
  const stored = await getImport<BulkRow, RowReport, ImportSummary>(sql, importId, true);
  if (!stored) return 'no such import (skipped)';
  if (stored.state === 'done') return 'already done';
  let savedAt = 0;
  try {
    const result = await runBulk(context, accounts, stored.rows, {
      dryRun: stored.dryRun,
      onProgress: async ({ done, summary }) => {
        if (Date.now() - savedAt < PROGRESS_EVERY_MS) return;
        savedAt = Date.now();
        await saveProgress(sql, importId, done, summary);
      },
    });
    await finishImport(sql, importId, { report: result.report, summary: result.summary });
    return Object.entries(result.summary.counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
  } catch (error) {
    await finishImport(sql, importId, { error: describeError(error) });
    return `failed: ${describeError(error)}`;
  }
}
