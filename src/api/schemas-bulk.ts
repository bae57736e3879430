/**
 * Shapes of bulk mapping and item management (issue 10): the rows in, the import task and its
 * report out, PATCH and DELETE of a mapping, and the paged listing's query.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ROW_STATUSES } from '../engine/bulk/report.ts';
import { KEY_FIELDS, MAX_ROWS } from '../engine/bulk/rows.ts';

const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
const Closed = { additionalProperties: false } as const;
const Text = Type.Union([Type.String(), Type.Number()]);

export const BulkJsonRow = Type.Object(
  {
    item_ecommerce_id: Type.Optional(Text),
    account_id: Type.Optional(Type.String()),
    item_pos_id: Type.Optional(Text),
    sku: Type.Optional(Text),
    barcode: Type.Optional(Text),
    item_name: Type.Optional(Type.String()),
    limit_quantity: Type.Optional(Text),
  },
  { additionalProperties: true, description: 'One row; give exactly one of item_pos_id, sku, barcode, item_name' },
);

export const BulkJsonBody = Type.Array(BulkJsonRow, { maxItems: MAX_ROWS });
export const BulkCsvBody = Type.String({
  description: `CSV with a header row: item_ecommerce_id, account_id, one key column of ${KEY_FIELDS.join(', ')}, optional limit_quantity`,
});

export const BulkQuery = Type.Object({
  dry_run: Type.Optional(Type.Boolean({ default: false, description: 'Match and report, write nothing' })),
  wait: Type.Optional(Type.Boolean({ default: false, description: 'Run in-line and answer 200 with the report instead of 202 with a task' })),
});

export const AutoMatchQuery = Type.Object({
  account_id: Type.String({ minLength: 1, maxLength: 255, description: 'The POS account whose catalog the shop rows are matched against' }),
  by: Type.Union([Type.Literal('sku'), Type.Literal('barcode')], { description: "The key: the shop table's column configured as EcommerceTable.Columns.Sku or .Barcode" }),
  dry_run: Type.Optional(Type.Boolean({ default: false, description: 'Preview: match and report, write nothing' })),
  wait: Type.Optional(Type.Boolean({ default: false, description: 'Run in-line and answer 200 with the report instead of 202 with a task' })),
});

const Candidate = Type.Object(
  { item_pos_id: Type.String(), name: Type.String(), sku: Type.Optional(Type.String()), barcode: Type.Optional(Type.String()) },
  Closed,
);

export const RowReportSchema = Type.Object(
  {
    row: Type.Integer({ description: 'Data row number, from 1 (the CSV header is not counted)' }),
    item_ecommerce_id: Type.String(),
    account_id: Type.String(),
    key: Type.Union([Type.Object({ by: Type.Union(KEY_FIELDS.map((k) => Type.Literal(k))), value: Type.String() }, Closed), Type.Null()]),
    status: Type.Union(ROW_STATUSES.map((s) => Type.Literal(s))),
    item_pos_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    candidates: Type.Optional(Type.Array(Candidate, { description: 'not_found: the closest POS items; ambiguous: those sharing the key' })),
  },
  Closed,
);

const Counts = Type.Object(Object.fromEntries(ROW_STATUSES.map((s) => [s, Type.Integer()])), Closed);

export const BulkTask = Type.Object(
  {
    id: Type.String(),
    kind: Type.Literal('bulk-import'),
    state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    dry_run: Type.Boolean(),
    created_at: Timestamp,
    finished_at: Type.Union([Timestamp, Type.Null()]),
    progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), stage: Type.String() }, Closed),
    counts: Type.Union([Counts, Type.Null()]),
    accounts: Type.Array(Type.Object({ account_id: Type.String(), catalog_items: Type.Integer(), pos_calls: Type.Integer(), catalog_seconds: Type.Number() }, Closed)),
    report: Type.Union([Type.Array(RowReportSchema), Type.Null()], { description: 'Every row, once the import is done' }),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  Closed,
);
export type BulkTaskJson = Static<typeof BulkTask>;

export const ItemIdParams = Type.Object({
  item_ecommerce_id: Type.String({ minLength: 1, maxLength: 255, description: 'The e-commerce id of a mapped item', examples: ['1001'] }),
});

export const PatchItemBody = Type.Object(
  {
    limit_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'New safety stock' })),
    description: Type.Optional(Type.String({ maxLength: 1000, description: 'New description (also written to the shop row)' })),
  },
  { ...Closed, minProperties: 1 },
);

export const DeleteItemQuery = Type.Object({
  shop_row: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('zero')], {
    default: 'keep',
    description: 'keep: the shop row stays as it is (default); zero: its quantity is set to 0, so the item stops selling online',
  })),
});

export const ListItemsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size; without limit, cursor or filter the whole list comes back, as in the original' })),
  cursor: Type.Optional(Type.String({ maxLength: 400, description: 'X-Next-Cursor of the previous page' })),
  filter: Type.Optional(Type.Union([Type.Literal('stale'), Type.Literal('unknown'), Type.Literal('flagged')], {
    description: 'stale: not confirmed by the POS within stale_after seconds; unknown: never counted; flagged: missing on the POS',
  })),
  stale_after: Type.Optional(Type.Integer({ minimum: 0, default: 3600, description: 'Seconds, for filter=stale' })),
});

/** A further source of a mapped item (routes/item-sources.ts). */
export const AddSourceBody = Type.Object(
  {
    account_id: Type.String({ minLength: 1, maxLength: 255, description: 'AccountID of the POS account to sell the item from too' }),
    item_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Exact POS item name (give this or item_pos_id)' })),
    item_pos_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'POS item id (give this or item_name)' })),
    limit_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: "This source's safety stock (default 0)" })),
  },
  // The example works as it is on `npm run demo`: 1001 is its first Square item, Lightspeed item 8 is not mapped.
  { additionalProperties: false, examples: [{ account_id: 'demo-lightspeed', item_pos_id: '8', limit_quantity: 2 }] },
);
