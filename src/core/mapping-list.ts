import type { SqlQueryable } from './sql.ts';
import { sourceStaleSql, staleSql } from './freshness.ts';
import { MAPPING_SELECT, OF_ACCOUNT, toMapping, type Mapping, type MappingRow } from './mappings.ts';

/**
 * An account's mappings a page at a time, in e-commerce id order, optionally only those that
 * need a look: stale (not confirmed within an age), unknown (never counted), flagged (missing on
 * the POS). The cursor is the last e-commerce id of the previous page (keyset paging: pages stay
 * consistent while items are added and removed).
 */
export type MappingFilter = 'stale' | 'unknown' | 'flagged';

export interface MappingPageQuery {
  limit: number;
  /** The last e-commerce id of the previous page. */
  after?: string;
  filter?: MappingFilter;
  /** For `stale`: items not confirmed within this many milliseconds. */
  staleAfterMs?: number;
}

const FILTERS: Record<MappingFilter, string> = {
  // In the account of an item's extra source, that source's confirmation is what ages.
  stale: `(case when m.account_id = $1 then ${staleSql('m', '$4')}
    else exists (select 1 from item_sources s where s.ecommerce_id = m.ecommerce_id and s.account_id = $1 and ${sourceStaleSql('s', '$4')}) end)`,
  unknown: 'm.on_hand is null',
  flagged: 'm.missing_on_pos',
};

export async function listMappingsPage(sql: SqlQueryable, accountId: string, query: MappingPageQuery): Promise<{ items: Mapping[]; nextAfter: string | null }> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit)), 1000);
  const where = query.filter ? `and ${FILTERS[query.filter]}` : '';
  const params: unknown[] = [accountId, query.after ?? null, limit + 1];
  if (query.filter === 'stale') params.push(query.staleAfterMs ?? 0);
  const { rows } = await sql.query<MappingRow>(
    `select ${MAPPING_SELECT} from mappings m
     where ${OF_ACCOUNT} and ($2::text is null or m.ecommerce_id > $2) ${where}
     order by m.ecommerce_id limit $3`,
    params,
  );
  const items = rows.slice(0, limit).map(toMapping);
  return { items, nextAfter: rows.length > limit ? items[items.length - 1]!.ecommerceId : null };
}
