import { addSource, listSources, removeSource, SourceConflictError, SourceNotFoundError } from '../core/item-sources.ts';
import { getMapping, getMappings, type Mapping } from '../core/mappings.ts';
import { MappingNotFoundError } from '../core/mapping-admin.ts';
import type { ItemQuery } from '../pos/contract.ts';
import type { AccountSet } from './accounts.ts';
import { firstCount, lookUp, toItemView } from './register.ts';
import { writeShopRows } from './shop-rows.ts';
import { flushSink, type SyncContext } from './sync.ts';
import { EngineInputError, type AddSourceRequest, type ItemView } from './ports.ts';

/**
 * An item's sources as the API drives them (issue 12, part 3): add one in another account (the
 * POS item found by id or exact name, counted once at once), remove one, read the item with them.
 */
export async function itemViews(context: Pick<SyncContext, 'core'>, accounts: AccountSet, mappings: readonly Mapping[]): Promise<ItemView[]> {
  const multi = mappings.filter((m) => m.sourcesAvailable !== null).map((m) => m.ecommerceId);
  // Sources not counted yet leave sources_available null: ask for every item only when it is cheap.
  const sources = await listSources(context.core.sql, mappings.length <= 1000 ? mappings.map((m) => m.ecommerceId) : multi);
  return mappings.map((m) => toItemView(m, !accounts.get(m.accountId), sources.get(m.ecommerceId) ?? []));
}

export async function itemWithSources(context: Pick<SyncContext, 'core'>, accounts: AccountSet, ecommerceId: string): Promise<ItemView> {
  const mapping = await getMapping(context.core.sql, ecommerceId);
  if (!mapping) throw new EngineInputError('item_ecommerce_id', `no item is mapped with the e-commerce id "${ecommerceId}"`, 404);
  return (await itemViews(context, accounts, [mapping]))[0]!;
}

export async function addItemSource(context: SyncContext, accounts: AccountSet, request: AddSourceRequest): Promise<{ item: ItemView; created: boolean }> {
  const account = accounts.get(request.accountId);
  if (!account) throw new EngineInputError('account_id', `no configured account has the id "${request.accountId}"`, 404, { known_account_ids: accounts.ids() });
  const byId = request.itemPosId !== undefined && request.itemPosId !== '';
  if (byId === (request.itemName !== undefined && request.itemName !== '')) throw new EngineInputError('item_name', 'give exactly one of item_name or item_pos_id', 400);
  if (!(await getMapping(context.core.sql, request.ecommerceId))) {
    throw new EngineInputError('item_ecommerce_id', `no item is mapped with the e-commerce id "${request.ecommerceId}"; map it first (POST /api/items)`, 404);
  }
  const query: ItemQuery = byId ? { posItemId: request.itemPosId! } : { name: request.itemName! };
  const posItem = await lookUp(account.adapter, query, byId ? 'item_pos_id' : 'item_name');
  let created: boolean;
  try {
    ({ created } = await addSource(context.core.sql, {
      ecommerceId: request.ecommerceId,
      accountId: account.config.id,
      posItemId: posItem.posItemId,
      description: posItem.name,
      limitQuantity: request.limitQuantity ?? 0,
    }));
  } catch (error) {
    throw translate(error);
  }
  await firstCount(context, account.adapter, account.config.id, posItem.posItemId);
  await writeShopRows(context, [request.ecommerceId]);
  return { item: await itemWithSources(context, accounts, request.ecommerceId), created };
}

export async function removeItemSource(context: SyncContext, accounts: AccountSet, ecommerceId: string, accountId: string): Promise<ItemView> {
  try {
    await removeSource(context.core.sql, ecommerceId, accountId);
  } catch (error) {
    throw translate(error);
  }
  await flushSink(context, null).catch(() => {
    // The shop row stays pending; the sink flusher writes it when the shop's database answers.
  });
  const [mapping] = await getMappings(context.core.sql, [ecommerceId]);
  return (await itemViews(context, accounts, mapping ? [mapping] : []))[0]!;
}

function translate(error: unknown): unknown {
  if (error instanceof MappingNotFoundError) return new EngineInputError('item_ecommerce_id', error.message, 404);
  if (error instanceof SourceNotFoundError) return new EngineInputError('account_id', error.message, 404);
  if (error instanceof SourceConflictError) return new EngineInputError('account_id', error.message, 409);
  return error;
}
