/**
 * Item mappings: register (queued like the original, or in-line with ?wait=true), list per
 * account, and the registration task. Paths and request bodies are the original's.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EngineInputError, type Service } from '../../engine/ports.ts';
import { toItemJson, toRegisterRequest, toTaskJson } from '../convert.ts';
import {
  AccountParams,
  apiBaseErrors,
  bodyErrors,
  errors,
  Item,
  RegisterItemBody,
  RegisterQuery,
  Task,
  TaskParams,
  type RegisterItemBodyJson,
} from '../schemas.ts';
import { apiSecurity, assertKnownAccount } from './common.ts';
import { BulkTask, ListItemsQuery } from '../schemas-bulk.ts';
import { toBulkTaskJson } from './items-manage.ts';

const taskLocation = (id: string) => `/api/itemstask/${encodeURIComponent(id)}`;

/** Exactly one way to find the POS item; the schema cannot say that in a readable message. */
function assertOneLookup(body: RegisterItemBodyJson): void {
  const hasName = body.item_name !== undefined;
  const hasPosId = body.item_pos_id !== undefined;
  if (hasName === hasPosId) {
    throw new EngineInputError(
      'item_name',
      hasName
        ? 'Give item_name or item_pos_id, not both'
        : 'Give item_name (the POS item name) or item_pos_id (its POS id)',
      400,
      { fields: ['item_name', 'item_pos_id'] },
    );
  }
}

export async function itemRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;

  app.post<{ Body: RegisterItemBodyJson; Querystring: Static<typeof RegisterQuery> }>('/items', {
    schema: {
      tags: ['items'],
      summary: 'Map an e-commerce item to a POS item',
      description:
        'Finds the POS item by exact name or id and stores the mapping; it is then kept in sync. ' +
        'By default the lookup is queued (202 + Location of the task, like the original); with ' +
        '`?wait=true` it runs in-line and answers 201 with the mapping.',
      security: apiSecurity,
      querystring: RegisterQuery,
      body: RegisterItemBody,
      response: {
        201: { ...Item, description: 'Registered (with ?wait=true)' },
        202: {
          ...Task,
          description: 'Queued; poll the task at Location',
          headers: { Location: { type: 'string', description: '/api/itemstask/{id}' } },
        },
        ...bodyErrors,
        ...apiBaseErrors,
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    },
  }, async (request, reply) => {
    const body = request.body;
    assertOneLookup(body);
    assertKnownAccount(service, body.account_id, 'account_id');
    const registration = toRegisterRequest(body);
    if (request.query.wait) {
      const item = await service.items.registerNow(registration);
      return reply.code(201).send(toItemJson(item));
    }
    const task = await service.items.register(registration);
    return reply.code(202).header('location', taskLocation(task.id)).send(toTaskJson(task));
  });

  app.get<{ Params: Static<typeof AccountParams>; Querystring: Static<typeof ListItemsQuery> }>('/items/:accountID', {
    schema: {
      tags: ['items'],
      summary: "List an account's mapped items with their stock",
      description:
        'Without limit, cursor or filter: every mapping, as the original answered. With them: one page in e-commerce id ' +
        'order; the header X-Next-Cursor (and a Link rel="next") gives the next page, absent on the last.',
      security: apiSecurity,
      params: AccountParams,
      querystring: ListItemsQuery,
      response: {
        200: {
          ...Type.Array(Item, { description: 'The mappings (the original also answered a bare list)' }),
          headers: { 'X-Next-Cursor': { type: 'string' }, Link: { type: 'string' } },
        },
        400: errors[400],
        404: errors[404],
        ...apiBaseErrors,
      },
    },
  }, async (request, reply) => {
    const { accountID } = request.params;
    const { limit, cursor, filter, stale_after: staleAfter } = request.query;
    if (limit === undefined && cursor === undefined && filter === undefined) {
      const items = await service.items.list(accountID);
      // An account that left the configuration still lists its (orphaned) mappings.
      if (items.length === 0) assertKnownAccount(service, accountID, 'accountID');
      return items.map(toItemJson);
    }
    if (!service.accountIds().includes(accountID) && (await service.items.list(accountID)).length === 0) assertKnownAccount(service, accountID, 'accountID');
    const page = await service.items.listPage(accountID, {
      limit: limit ?? 100,
      ...(cursor === undefined ? {} : { cursor }),
      ...(filter === undefined ? {} : { filter }),
      ...(staleAfter === undefined ? {} : { staleAfterSeconds: staleAfter }),
    });
    if (page.nextCursor !== null) {
      const next = new URLSearchParams({ limit: String(limit ?? 100), cursor: page.nextCursor, ...(filter ? { filter } : {}), ...(staleAfter !== undefined ? { stale_after: String(staleAfter) } : {}) });
      reply.header('x-next-cursor', page.nextCursor).header('link', `</api/items/${encodeURIComponent(accountID)}?${next}>; rel="next"`);
    }
    return page.items.map(toItemJson);
  });

  app.get<{ Params: Static<typeof TaskParams> }>('/itemstask/:jobID', {
    schema: {
      tags: ['items'],
      summary: 'State of an item registration or bulk mapping task',
      security: apiSecurity,
      params: TaskParams,
      response: { 200: Type.Union([Task, BulkTask]), 400: errors[400], 404: errors[404], ...apiBaseErrors },
    },
  }, async (request) => {
    const task = await service.items.task(request.params.jobID);
    if (!task) throw new EngineInputError('jobID', `No task "${request.params.jobID}"`, 404);
    return task.kind === 'bulk-import' ? toBulkTaskJson(task) : toTaskJson(task);
  });
}
