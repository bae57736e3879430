import type { CatalogItem } from '../../pos/contract.ts';
import type { BulkKey } from './rows.ts';

/**
 * What a bulk mapping says about every row. Stored as the import's report and served as is, so
 * it is snake_case like the rest of the API's JSON.
 */
export type RowStatus =
  /** Bound now (or, in a dry run, would be). */
  | 'mapped'
  /** Already bound to this very POS item with this floor: nothing to do. */
  | 'unchanged'
  /** Already bound to this POS item; its floor (limit_quantity) changes to the row's. */
  | 'updated'
  /** No POS item has the key; `candidates` are the closest ones. */
  | 'not_found'
  /** Several POS items share the key, or several rows of the file give it: never guessed. */
  | 'ambiguous'
  /** The e-commerce id is mapped to another POS item, or the POS item to another e-commerce id. */
  | 'conflict'
  /** The row itself is wrong (blank key, unknown account, bad limit). */
  | 'invalid';

export const ROW_STATUSES: readonly RowStatus[] = ['mapped', 'unchanged', 'updated', 'not_found', 'ambiguous', 'conflict', 'invalid'];

export interface CandidateJson {
  item_pos_id: string;
  name: string;
  sku?: string;
  barcode?: string;
}

export interface RowReport {
  row: number;
  item_ecommerce_id: string;
  account_id: string;
  key: BulkKey | null;
  status: RowStatus;
  item_pos_id?: string;
  name?: string;
  reason?: string;
  candidates?: CandidateJson[];
}

export interface AccountReadSummary {
  account_id: string;
  catalog_items: number;
  pos_calls: number;
  /** Wall time of the catalog read, seconds. */
  catalog_seconds: number;
}

export interface ImportSummary {
  stage: 'queued' | 'reading catalogs' | 'matching' | 'reading counts' | 'writing shop table' | 'done';
  dry_run: boolean;
  counts: Record<RowStatus, number>;
  accounts: AccountReadSummary[];
}

export function candidateJson(item: CatalogItem): CandidateJson {
  return {
    item_pos_id: item.posItemId,
    name: item.name,
    ...(item.sku ? { sku: item.sku } : {}),
    ...(item.barcode ? { barcode: item.barcode } : {}),
  };
}

export function emptyCounts(): Record<RowStatus, number> {
  return Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
}

export function countStatuses(report: readonly RowReport[]): Record<RowStatus, number> {
  const counts = emptyCounts();
  for (const row of report) counts[row.status] += 1;
  return counts;
}
