import { findItem } from '../pos/matching.ts';
import { PosNotFoundError } from '../pos/errors.ts';
import type { CatalogItem, ItemQuery, PosAdapter } from '../pos/contract.ts';
import { MappingConflictError, getMapping, registerMapping, type Mapping } from '../core/mappings.ts';
import { writeShopRows } from './shop-rows.ts';
import { shopQuantity, type ItemSource } from '../core/item-sources.ts';
import type { AccountSet } from './accounts.ts';
import { applyPage, databaseNow, type SyncContext } from './sync.ts';
import { EngineInputError, type ItemView, type RegisterItemRequest } from './ports.ts';

/**
 * Binds an e-commerce item to a POS item (found by POS id or exact name), reads its count once so
 * the shop's row starts with a real quantity, and makes sure that row exists.
 */
export async function registerItem(context: SyncContext, accounts: AccountSet, request: RegisterItemRequest): Promise<ItemView> {
  const account = checkRequest(accounts, request);
  const query: ItemQuery = request.itemPosId !== undefined ? { posItemId: request.itemPosId } : { name: request.itemName ?? '' };
  const item = await lookUp(account.adapter, query, request.itemPosId !== undefined ? 'item_pos_id' : 'item_name');
  try {
    await registerMapping(context.core.sql, {
      ecommerceId: request.ecommerceId,
      accountId: account.config.id,
      posItemId: item.posItemId,
      description: item.name,
      limitQuantity: request.limitQuantity ?? 0,
    });
  } catch (error) {
    if (error instanceof MappingConflictError) throw new EngineInputError('item_ecommerce_id', error.message, 409);
    throw error;
  }
  await firstCount(context, account.adapter, account.config.id, item.posItemId);
  await writeShopRows(context, [request.ecommerceId]);
  const mapping = (await getMapping(context.core.sql, request.ecommerceId))!;
  return toItemView(mapping);
}

/** An extra source as the API shows it. */
function toSourceView(source: ItemSource) {
  return {
    accountId: source.accountId,
    posItemId: source.posItemId,
    description: source.description,
    limitQuantity: source.limitQuantity,
    onHand: source.onHand,
    available: source.available,
    lastConfirmedAt: source.lastConfirmedAt?.toISOString() ?? null,
    missingOnPos: source.missingOnPos,
    first: false,
  };
}

/** Cheap checks done before a registration is queued, so bad input is a 4xx at once. */
export function checkRequest(accounts: AccountSet, request: RegisterItemRequest) {
  const account = accounts.get(request.accountId);
  if (!account) {
    throw new EngineInputError('account_id', `no configured account has the id "${request.accountId}"`, 404, { known_account_ids: accounts.ids() });
  }
  const byId = request.itemPosId !== undefined && request.itemPosId !== '';
  const byName = request.itemName !== undefined && request.itemName !== '';
  if (byId === byName) throw new EngineInputError('item_name', 'give exactly one of item_name or item_pos_id', 400);
  if (request.ecommerceId.trim() === '') throw new EngineInputError('item_ecommerce_id', 'item_ecommerce_id must not be empty', 400);
  return account;
}

export async function lookUp(adapter: PosAdapter, query: ItemQuery, field: string): Promise<CatalogItem> {
  try {
    return await findItem(adapter, query);
  } catch (error) {
    if (error instanceof PosNotFoundError) {
      throw new EngineInputError(field, error.message, 422, {
        close_matches: error.closeMatches.map((m) => ({ pos_item_id: m.posItemId, name: m.name })),
      });
    }
    throw error;
  }
}

export async function firstCount(context: SyncContext, adapter: PosAdapter, accountId: string, posItemId: string): Promise<void> {
  const readStartedAt = await databaseNow(context.core.sql);
  try {
    for await (const page of adapter.readCounts([posItemId])) await applyPage(context, accountId, null, page, readStartedAt, 'register');
  } catch {
    // The mapping stands; the next poll counts the item. Registration does not fail for it.
  }
}

/** The item as the API shows it; with extra sources, available is their sum and `sources` lists them all. */
export function toItemView(mapping: Mapping, orphaned = false, extraSources: readonly ItemSource[] = []): ItemView {
  const view = toFirstSourceView(mapping, orphaned);
  if (extraSources.length === 0) return view;
  const { ecommerceId: _id, orphaned: _orphaned, ...first } = view;
  return {
    ...view,
    available: shopQuantity(mapping),
    sources: [{ ...first, first: true }, ...extraSources.map(toSourceView)],
  };
}

function toFirstSourceView(mapping: Mapping, orphaned: boolean): ItemView {
  return {
    ecommerceId: mapping.ecommerceId,
    accountId: mapping.accountId,
    posItemId: mapping.posItemId,
    description: mapping.description,
    limitQuantity: mapping.limitQuantity,
    onHand: mapping.onHand,
    available: mapping.available,
    lastConfirmedAt: mapping.lastConfirmedAt?.toISOString() ?? null,
    missingOnPos: mapping.missingOnPos,
    orphaned,
  };
}
