/**
 * An item sold from several POS accounts (issue 12, part 3). `POST /api/items` keeps the
 * original's contract (an e-commerce id mapped elsewhere is a 409); a further source is added
 * here, explicitly, so a mistaken registration never silently adds stock to an item.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EngineInputError, type Service } from '../../engine/ports.ts';
import { toItemJson } from '../convert.ts';
import { apiBaseErrors, bodyErrors, errors, Item } from '../schemas.ts';
import { AddSourceBody, ItemIdParams } from '../schemas-bulk.ts';
import { apiSecurity, assertKnownAccount } from './common.ts';

const SourceParams = Type.Object({
  item_ecommerce_id: Type.String({ minLength: 1, maxLength: 255, description: 'The e-commerce id of a mapped item' }),
  account_id: Type.String({ minLength: 1, maxLength: 255, description: 'The account of the source to remove' }),
});

export async function itemSourceRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;

  app.get<{ Params: Static<typeof ItemIdParams> }>('/items/:item_ecommerce_id/sources', {
    schema: {
      tags: ['items'],
      summary: 'An item with its sources',
      description: 'The item; `sources` lists every POS item it is sold from when there is more than one.',
      security: apiSecurity,
      params: ItemIdParams,
      response: { 200: Item, 400: errors[400], 404: errors[404], ...apiBaseErrors },
    },
  }, async (request) => toItemJson(await service.items.get(request.params.item_ecommerce_id)));

  app.post<{ Params: Static<typeof ItemIdParams>; Body: Static<typeof AddSourceBody> }>('/items/:item_ecommerce_id/sources', {
    schema: {
      tags: ['items'],
      summary: 'Sell a mapped item from another POS account too',
      description:
        'Finds the POS item by exact name or id in `account_id` and adds it as a source: the shop then gets the sum of the ' +
        "sources' available quantities, and each sale is routed to a source (Sales.Routing). 201 when added, 200 when it was " +
        'already a source (its floor is updated). 409 when the account already holds another source of the item, or the POS ' +
        'item already feeds an item.',
      security: apiSecurity,
      params: ItemIdParams,
      body: AddSourceBody,
      response: { 200: Item, 201: Item, ...bodyErrors, ...apiBaseErrors, 404: errors[404], 409: errors[409], 422: errors[422] },
    },
  }, async (request, reply) => {
    const body = request.body;
    if ((body.item_name === undefined) === (body.item_pos_id === undefined)) {
      throw new EngineInputError('item_name', 'Give item_name (the POS item name) or item_pos_id (its POS id)', 400, { fields: ['item_name', 'item_pos_id'] });
    }
    assertKnownAccount(service, body.account_id, 'account_id');
    const { item, created } = await service.items.addSource({
      ecommerceId: request.params.item_ecommerce_id,
      accountId: body.account_id,
      ...(body.item_name === undefined ? {} : { itemName: body.item_name }),
      ...(body.item_pos_id === undefined ? {} : { itemPosId: body.item_pos_id }),
      ...(body.limit_quantity === undefined ? {} : { limitQuantity: body.limit_quantity }),
    });
    return reply.code(created ? 201 : 200).send(toItemJson(item));
  });

  app.delete<{ Params: Static<typeof SourceParams> }>('/items/:item_ecommerce_id/sources/:account_id', {
    schema: {
      tags: ['items'],
      summary: "Stop selling an item from one of its extra sources",
      description: "The item's first source is removed by unmapping the item. Sales already accepted from the source are still posted. Journaled.",
      security: apiSecurity,
      params: SourceParams,
      response: { 200: Item, 400: errors[400], 404: errors[404], 409: errors[409], ...apiBaseErrors },
    },
  }, async (request) => toItemJson(await service.items.removeSource(request.params.item_ecommerce_id, request.params.account_id)));
}
