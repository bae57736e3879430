/**
 * Onboarding and managing mappings (issue 10): bulk mapping from CSV or JSON rows, changing an
 * item's floor or description, and unmapping it.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { BulkTaskView, Service } from '../../engine/ports.ts';
import { rowsFromCsv, rowsFromJson } from '../../engine/bulk/rows.ts';
import { toItemJson } from '../convert.ts';
import { apiBaseErrors, bodyErrors, errors, Item } from '../schemas.ts';
import { AutoMatchQuery, BulkCsvBody, BulkJsonBody, BulkQuery, BulkTask, DeleteItemQuery, ItemIdParams, PatchItemBody, type BulkTaskJson } from '../schemas-bulk.ts';
import { apiSecurity } from './common.ts';

/** 100,000 rows of CSV or JSON fit well inside this. */
const BULK_BODY_LIMIT = 64 * 1024 * 1024;

export function toBulkTaskJson(task: BulkTaskView): BulkTaskJson {
  return {
    id: task.id,
    kind: task.kind,
    state: task.state,
    dry_run: task.dryRun,
    created_at: task.createdAt,
    finished_at: task.finishedAt,
    progress: { done: task.done, total: task.total, stage: task.summary?.stage ?? task.state },
    counts: task.state === 'done' && task.summary ? task.summary.counts : null,
    accounts: task.summary?.accounts ?? [],
    report: task.report,
    error: task.error,
  };
}

export async function itemManageRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: BULK_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post<{ Body: unknown; Querystring: Static<typeof BulkQuery> }>('/items/bulk', {
    bodyLimit: BULK_BODY_LIMIT,
    schema: {
      tags: ['items'],
      summary: 'Map many items at once (CSV or JSON rows)',
      description:
        'Reads each account\'s catalog once, matches every row by item_pos_id, sku, barcode or item_name (a key must be ' +
        'non-blank and unique on both sides: never guessed), and reports every row: mapped, unchanged, updated, not_found ' +
        '(with close matches), ambiguous, conflict or invalid. Runs as one job (202 + Location of the task, with progress); ' +
        '`?wait=true` answers 200 with the report. `?dry_run=true` writes nothing and gives the same report. Running the ' +
        'same rows again changes nothing.',
      security: apiSecurity,
      querystring: BulkQuery,
      body: { content: { 'application/json': { schema: BulkJsonBody }, 'text/csv': { schema: BulkCsvBody } } },
      response: {
        200: { ...BulkTask, description: 'Done (with ?wait=true): the report of every row' },
        202: { ...BulkTask, description: 'Queued; poll the task at Location', headers: { Location: { type: 'string' } } },
        ...bodyErrors,
        ...apiBaseErrors,
      },
    },
  }, async (request, reply) => {
    const rows = typeof request.body === 'string' ? rowsFromCsv(request.body) : rowsFromJson(request.body);
    const wait = request.query.wait === true;
    const task = await service.items.bulk(rows, { dryRun: request.query.dry_run === true, wait });
    if (wait) return reply.code(200).send(toBulkTaskJson(task));
    return reply.code(202).header('location', `/api/itemstask/${encodeURIComponent(task.id)}`).send(toBulkTaskJson(task));
  });

  app.post<{ Querystring: Static<typeof AutoMatchQuery> }>('/items/auto-match', {
    schema: {
      tags: ['items'],
      summary: "Map the shop table's rows by its own SKU or barcode column",
      description:
        "Reads the shop table's e-commerce ids with the configured SKU or barcode column (EcommerceTable.Columns.Sku / " +
        '.Barcode), leaving out rows its account column files under another account, and maps them to the account\'s POS ' +
        'items as a bulk mapping does: only where the key is non-blank and unique on both sides. Blank, ambiguous and ' +
        'not-found keys are reported, never guessed. Preview first with `?dry_run=true` (writes nothing), then apply. ' +
        'Runs as one job (202 + Location of the task, with progress); `?wait=true` answers 200 with the report.',
      security: apiSecurity,
      querystring: AutoMatchQuery,
      response: {
        200: { ...BulkTask, description: 'Done (with ?wait=true): the report of every shop row' },
        202: { ...BulkTask, description: 'Queued; poll the task at Location', headers: { Location: { type: 'string' } } },
        ...bodyErrors,
        ...apiBaseErrors,
        404: errors[404],
      },
    },
  }, async (request, reply) => {
    const wait = request.query.wait === true;
    const task = await service.items.autoMatch(request.query.account_id, request.query.by, { dryRun: request.query.dry_run === true, wait });
    if (wait) return reply.code(200).send(toBulkTaskJson(task));
    return reply.code(202).header('location', `/api/itemstask/${encodeURIComponent(task.id)}`).send(toBulkTaskJson(task));
  });

  app.patch<{ Params: Static<typeof ItemIdParams>; Body: Static<typeof PatchItemBody> }>('/items/:item_ecommerce_id', {
    schema: {
      tags: ['items'],
      summary: "Change a mapped item's safety stock or description",
      description: 'The shop row follows (limit quantity and description); the change is journaled.',
      security: apiSecurity,
      params: ItemIdParams,
      body: PatchItemBody,
      response: { 200: Item, ...bodyErrors, ...apiBaseErrors, 404: errors[404] },
    },
  }, async (request) => {
    const change = {
      ...(request.body.limit_quantity === undefined ? {} : { limitQuantity: request.body.limit_quantity }),
      ...(request.body.description === undefined ? {} : { description: request.body.description }),
    };
    return toItemJson(await service.items.update(request.params.item_ecommerce_id, change));
  });

  app.delete<{ Params: Static<typeof ItemIdParams>; Querystring: Static<typeof DeleteItemQuery> }>('/items/:item_ecommerce_id', {
    schema: {
      tags: ['items'],
      summary: 'Unmap an item',
      description:
        'Refused with 409 while the item has sales not yet posted (accepted, dispatching or failed: wait, or retry or cancel ' +
        'them). `shop_row=keep` (default) leaves the shop row as it is; `shop_row=zero` sets its quantity to 0. Journaled.',
      security: apiSecurity,
      params: ItemIdParams,
      querystring: DeleteItemQuery,
      response: { 200: { ...Item, description: 'The mapping as it was' }, 400: errors[400], 404: errors[404], 409: errors[409], ...apiBaseErrors },
    },
  }, async (request) => {
    return toItemJson(await service.items.unmap(request.params.item_ecommerce_id, request.query.shop_row ?? 'keep'));
  });
}
