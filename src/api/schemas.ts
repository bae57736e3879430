/**
 * Every request and response shape of the HTTP API, in TypeBox: the same objects validate requests,
 * serialise responses and feed the OpenAPI document, so the three cannot drift apart.
 * JSON is snake_case like the original's bodies; camelCase stays inside the engine (convert.ts).
 */
import { SALE_STATES } from '../core/sales/states.ts';
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** Response objects are closed so a field the serialiser would drop fails the strict test mode. */
const Closed = { additionalProperties: false } as const;

// ---------- errors ----------

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable kind: bad_request, unauthorized, not_found, conflict, unprocessable, internal, …' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The request field at fault, e.g. "item_ecommerce_id"' })),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), {
      description: 'Extra facts: close_matches (POS items resembling an unknown name), known_account_ids, fields…',
    })),
    request_id: Type.Optional(Type.String({ description: 'Given on 5xx: quote it when reporting; the cause is in the server log only' })),
  },
  Closed,
);
export type ErrorBodyJson = Static<typeof ErrorBody>;

export const described = <T extends TSchema>(schema: T, description: string) => ({ ...schema, description }) as T;

/** Error statuses by meaning, so each route lists exactly those it can give. */
export const errors = {
  400: described(ErrorBody, 'Bad input: the field at fault is named in `field`'),
  401: described(ErrorBody, 'Missing or wrong X-Api-Key (only when API keys are configured)'),
  404: described(ErrorBody, 'Unknown account, task or route'),
  409: described(ErrorBody, 'Conflicts with the current state'),
  413: described(ErrorBody, 'Body too large'),
  415: described(ErrorBody, 'Body is not JSON'),
  422: described(ErrorBody, 'The POS has no such item; `details.close_matches` lists near names'),
  500: described(ErrorBody, 'Internal error (masked; see `request_id` in the server log)'),
} as const;

/** Statuses every /api route may give whatever it does (auth, crash). */
export const apiBaseErrors = { 401: errors[401], 500: errors[500] } as const;
/** Plus those of any route taking a JSON body. */
export const bodyErrors = { 400: errors[400], 413: errors[413], 415: errors[415] } as const;

// ---------- items ----------

export const AccountParams = Type.Object({
  accountID: Type.String({ minLength: 1, description: 'The AccountID of a configured POS account', examples: ['demo-square'] }),
});

export const ItemEcommerceId = Type.Union(
  // Bounded: past 2^53 a JSON number is no longer the id the shop sent (and Ajv lets Infinity pass).
  [Type.String({ minLength: 1, maxLength: 255 }), Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })],
  { description: 'The item id in the e-commerce database; a bare number (as in the original README) or text' },
);

export const RegisterItemBody = Type.Object(
  {
    item_ecommerce_id: ItemEcommerceId,
    account_id: Type.String({ minLength: 1, maxLength: 255, description: 'AccountID of the POS account holding the item' }),
    item_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Exact POS item name (give this or item_pos_id)' })),
    item_pos_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'POS item id (give this or item_name)' })),
    limit_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'Safety stock kept back from online sales (default 0)' })),
    is_mobile_client: Type.Optional(Type.Literal(false, {
      description: "The original's phone-push clients are not supported; only false is accepted",
    })),
  },
  {
    // The original (JSON.NET) ignored unknown keys; so do we.
    additionalProperties: true,
    // Works as it is on `npm run demo` (its first Square item, already registered: a no-op).
    examples: [{ item_ecommerce_id: 1001, account_id: 'demo-square', item_pos_id: 'CUDRY6DZOWXIXNFBPQBH7YO4', limit_quantity: 0 }],
  },
);
export type RegisterItemBodyJson = Static<typeof RegisterItemBody>;

export const RegisterQuery = Type.Object({
  wait: Type.Optional(Type.Boolean({
    default: false,
    description: 'true: register in-line and answer 201 with the mapping instead of 202 with a task',
  })),
});

const ItemSourceSchema = Type.Object(
  {
    account_id: Type.String(),
    item_pos_id: Type.String(),
    description: Type.String(),
    limit_quantity: Type.Integer({ description: "This source's own floor: a sale leaves it at least this many" }),
    on_hand: Nullable(Type.Number()),
    available: Nullable(Type.Number({ description: "This source's on hand − its reserved units, floored at 0" })),
    last_confirmed_at: Nullable(Timestamp),
    missing_on_pos: Type.Boolean(),
    first: Type.Boolean({ description: "The item's first source (its mapping): removed only by unmapping the item" }),
  },
  Closed,
);

export const Item = Type.Object(
  {
    item_ecommerce_id: Type.String(),
    account_id: Type.String(),
    item_pos_id: Type.String(),
    description: Type.String({ description: 'The item name on the POS' }),
    limit_quantity: Type.Integer(),
    on_hand: Nullable(Type.Number({ description: 'Last count read from the POS; null until the first poll' })),
    available: Nullable(Type.Number({ description: 'on_hand − reserved, floored at 0: the number written to the shop DB' })),
    last_confirmed_at: Nullable(Timestamp),
    missing_on_pos: Type.Boolean({ description: 'The last poll did not find the item on the POS (its count was left as it was)' }),
    orphaned: Type.Boolean({ description: 'Its account is no longer configured: not polled, and sales of it are refused (409)' }),
    sources: Type.Optional(Type.Array(ItemSourceSchema, {
      description: 'Present when the item is sold from several POS accounts: every source, the first (the fields above) included. `available` is then their sum.',
    })),
  },
  Closed,
);
export type ItemJson = Static<typeof Item>;

const RegisterRequestEcho = Type.Object(
  {
    item_ecommerce_id: Type.String(),
    account_id: Type.String(),
    item_name: Type.Optional(Type.String()),
    item_pos_id: Type.Optional(Type.String()),
    limit_quantity: Type.Optional(Type.Integer()),
  },
  Closed,
);

export const CloseMatch = Type.Object({ pos_item_id: Type.String(), name: Type.String() }, Closed);

export const RegisterTask = Type.Object(
  {
    id: Type.String(),
    kind: Type.Literal('register-item'),
    state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    created_at: Timestamp,
    finished_at: Nullable(Timestamp),
    request: RegisterRequestEcho,
    result: Nullable(Item),
    error: Nullable(Type.Object(
      { message: Type.String(), close_matches: Type.Optional(Type.Array(CloseMatch)) },
      Closed,
    )),
  },
  Closed,
);

export const TaskParams = Type.Object({ jobID: Type.String({ minLength: 1, maxLength: 200 }) });

// ---------- synchronizer ----------

export const RunStatusSchema = Type.Union(
  ['running', 'ok', 'failed', 'held', 'discarded', 'superseded'].map((s) => Type.Literal(s)),
  { description: 'held: the breaker stopped the run, nothing was written (GET /api/runs/{id}); discarded / superseded: decided without writing' },
);

const RunJson = Type.Object(
  {
    id: Type.Integer(),
    trigger: Type.String(),
    status: RunStatusSchema,
    started_at: Timestamp,
    finished_at: Nullable(Timestamp),
    items_read: Type.Integer(),
    items_changed: Type.Integer(),
    api_calls: Type.Integer(),
    error: Nullable(Type.String()),
  },
  Closed,
);

const TaskStateSchema = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);

export const PollTask = Type.Object(
  {
    id: Type.String(),
    kind: Type.Literal('poll'),
    state: TaskStateSchema,
    created_at: Timestamp,
    finished_at: Nullable(Timestamp),
    request: Type.Object({ account_id: Type.String(), trigger: Type.String({ description: 'manual (forceUpdate), cron, boot' }) }, Closed),
    progress: Nullable(Type.Object({ items_read: Type.Integer(), items_changed: Type.Integer() }, Closed)),
    result: Nullable(RunJson),
    error: Nullable(Type.Object({ message: Type.String() }, Closed)),
  },
  Closed,
);

export const Task = Type.Union([RegisterTask, PollTask], {
  description: 'An item registration (`kind: register-item`) or a poll queued by forceUpdate (`kind: poll`)',
});
export type TaskJson = Static<typeof Task>;
export type RegisterTaskJson = Static<typeof RegisterTask>;
export type PollTaskJson = Static<typeof PollTask>;

export const Freshness = Type.Object(
  {
    items: Type.Integer({ description: 'Items mapped in the account' }),
    stale_items: Type.Integer({ description: 'Items whose last POS confirmation is older than max_item_age_seconds' }),
    never_confirmed: Type.Integer({ description: 'Items no POS count has confirmed yet' }),
    max_item_age_seconds: Type.Integer(),
    max_age_source: Type.Union([Type.Literal('account'), Type.Literal('config'), Type.Literal('schedule')], {
      description: "account: the account's MaxItemAgeSeconds; config: Synchronizer.MaxItemAgeSeconds; schedule: twice the poll interval",
    }),
    oldest_confirmed_at: Nullable(Timestamp),
  },
  Closed,
);

/** A POS call quota (Hiboutik); polls pause and sales wait while it is not ok. */
const QuotaJson = Type.Object(
  {
    state: Type.Union([Type.Literal('ok'), Type.Literal('spent'), Type.Literal('refused')], {
      description: 'spent: our own count reached the quota; refused: the POS refused us for quota',
    }),
    used: Type.Integer({ description: "This month's calls, as counted here" }),
    limit: Type.Integer(),
    resumes_at: Nullable(Timestamp),
  },
  Closed,
);

export const PauseJson = Type.Object(
  {
    reason: Type.String(),
    run_id: Nullable(Type.Integer({ description: 'The reverted run that paused it' })),
    paused_at: Timestamp,
  },
  { ...Closed, description: 'Polls (and webhook / change-poll updates) wait until POST /api/accounts/{id}/resume' },
);

export const SynchronizerStatus = Type.Object(
  {
    running: Type.Boolean(),
    cron: Type.String({ description: "Hangfire's 5-field cron" }),
    time_zone: Type.String({ description: 'IANA zone the cron is read in' }),
    cron_text: Type.String({ description: 'The cron in words' }),
    next_run_at: Nullable(Timestamp),
    last_run_at: Nullable(Timestamp),
    accounts: Type.Array(Type.Object(
      {
        account_id: Type.String(),
        account_name: Type.String(),
        pos: Type.String(),
        last_run: Nullable(RunJson),
        freshness: Nullable(Freshness),
        quota: Nullable(QuotaJson),
        held_run_id: Nullable(Type.Integer({ description: 'The newest run the breaker held: read it at GET /api/runs/{id}, then apply or discard it' })),
        paused: Nullable(PauseJson),
      },
      Closed,
    )),
  },
  Closed,
);
export type SynchronizerStatusJson = Static<typeof SynchronizerStatus>;

export const StartBody = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ['*/5 * * * *', '* 11,12,13 * * 1,2,3,4,5'] })),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['Europe/Brussels'] })),
  },
  { additionalProperties: true, examples: [{ cron: '* * * * *', time_zone: 'UTC' }] },
);

export const AccountSelector = Type.Object(
  { account_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Only this account (default: all)' })) },
  { additionalProperties: true, examples: [{ account_id: 'demo-square' }] },
);

export const Queued = Type.Object(
  {
    queued: Type.Array(Type.Object(
      {
        account_id: Type.String(),
        job_id: Nullable(Type.String({ description: 'The poll\'s job id (the one already queued when this request joined it); resolves at GET /api/itemstask/{jobID}' })),
      },
      Closed,
    )),
  },
  Closed,
);

// ---------- health ----------

const Level = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]);
const Reason = Type.Optional(Type.String({ description: 'A fixed code (never an error text), e.g. last_write_failed, core_unreachable' }));

export const Health = Type.Object(
  {
    status: Level,
    version: Type.String(),
    checked_at: Timestamp,
    core: Type.Object({ status: Level, kind: Type.String(), reason: Reason }, Closed),
    jobs: Type.Object({ status: Level, reason: Reason }, Closed),
    sink: Type.Object(
      {
        status: Level,
        target: Type.String(),
        reason: Reason,
        last_write: Nullable(Type.Object({ ok: Type.Boolean(), at: Timestamp, code: Nullable(Type.String({ description: 'Driver error code of a failed write, e.g. ER_NO_SUCH_TABLE' })) }, Closed)),
      },
      Closed,
    ),
    accounts: Type.Array(Type.Object(
      {
        account_id: Type.String(),
        pos: Type.String(),
        status: Level,
        reasons: Type.Array(Type.String(), { description: 'last_poll_failed, stale_items, run_held (a run waits for a decision), polls_paused (after a revert)' }),
        last_poll: Nullable(Type.Object({ status: Type.String(), started_at: Timestamp, finished_at: Nullable(Timestamp) }, Closed)),
        freshness: Nullable(Freshness),
        held_run_id: Nullable(Type.Integer()),
        paused: Type.Boolean(),
      },
      Closed,
    )),
    sales: Type.Object(
      {
        status: Level,
        reason: Reason,
        oldest_pending_at: Nullable(Timestamp),
        oldest_pending_age_seconds: Nullable(Type.Integer()),
        failed: Type.Integer(),
        incomplete: Type.Integer({ description: 'Sales the POS holds but refused to finish (state `incomplete`): finish or remove them on the POS' }),
      },
      Closed,
    ),
  },
  Closed,
);
export type HealthJson = Static<typeof Health>;

export const Readiness = Type.Object(
  {
    ready: Type.Boolean(),
    migrations: Type.Object({ status: Level, version: Nullable(Type.Integer({ description: 'Schema version in the core' })), expected: Type.Integer({ description: 'The version this possync needs' }) }, Closed),
    workers: Type.Object({ status: Level }, Closed),
    health: Health,
  },
  Closed,
);
export type ReadinessJson = Static<typeof Readiness>;

// ---------- sales ----------

export const SaleStateSchema = Type.Union(SALE_STATES.map((s) => Type.Literal(s)), {
  description: 'accepted → dispatching → posted | failed; failed → dispatching (retry); accepted | failed → cancelled',
});

/** Bounds no real sale reaches; past them a typo (cents vs units, an extra zero) is more likely. */
export const MAX_SALE_DELTA = 10_000;
export const MAX_SALE_BALANCE = 100_000_000;

export const SaleBody = Type.Object(
  {
    item_ecommerce_id: ItemEcommerceId,
    delta: Type.Integer({ minimum: 1, maximum: MAX_SALE_DELTA, description: 'Units sold' }),
    balance: Type.Integer({ minimum: 0, maximum: MAX_SALE_BALANCE, description: 'Amount paid, in cents' }),
    reference: Type.Optional(Type.String({
      minLength: 1,
      maxLength: 255,
      description: "Your reference, e.g. the shop's order id; the idempotency key when no Idempotency-Key header is sent",
    })),
  },
  {
    // The original (JSON.NET) ignored unknown keys; so do we.
    additionalProperties: true,
    examples: [{ item_ecommerce_id: 1001, delta: 1, balance: 1250, reference: 'order-1042' }],
  },
);
export type SaleBodyJson = Static<typeof SaleBody>;

/** Printable ASCII without edge spaces (HTTP would strip those anyway). */
export const IDEMPOTENCY_KEY_PATTERN = '^[!-~](?:[ -~]*[!-~])?$';

export const SaleHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description: '1–255 printable ASCII characters. Same key + same body → the same sale; same key + another body → 422',
  })),
});

export const SaleAccepted = Type.Object(
  {
    sale_id: Type.String(),
    status: SaleStateSchema,
    location: Type.String({ description: '/api/sales/{sale_id}' }),
  },
  Closed,
);
export type SaleAcceptedJson = Static<typeof SaleAccepted>;

const SalePart = Type.Object(
  {
    sale_id: Type.String({ description: "The part's id (the POS's idempotency key / reference for it); the first part's is the sale's" }),
    state: SaleStateSchema,
    account_id: Type.String(),
    pos_item_id: Type.String(),
    quantity: Type.Integer(),
    amount_cents: Type.Integer(),
    attempts: Type.Integer(),
    last_error: Nullable(Type.String()),
    pos_reference: Nullable(Type.String()),
  },
  Closed,
);

export const Sale = Type.Object(
  {
    sale_id: Type.String(),
    state: SaleStateSchema,
    item_ecommerce_id: Type.String(),
    account_id: Type.String(),
    pos_item_id: Type.String(),
    quantity: Type.Integer({ description: 'Units sold (the request\'s `delta`)' }),
    amount_cents: Type.Integer({ description: 'Amount paid in cents (the request\'s `balance`)' }),
    reference: Nullable(Type.String()),
    idempotency_key: Nullable(Type.String()),
    attempts: Type.Integer({ description: 'Tries to post the sale to the POS so far' }),
    last_error: Nullable(Type.String({ description: 'Why the last try failed' })),
    pos_reference: Nullable(Type.String({ description: "The sale's id on the POS, once posted" })),
    created_at: Timestamp,
    updated_at: Timestamp,
    history: Type.Array(Type.Object(
      { from: Nullable(SaleStateSchema), to: SaleStateSchema, at: Timestamp, reason: Type.String() },
      Closed,
    )),
    parts: Type.Optional(Type.Array(SalePart, {
      description: 'Present when the sale was split over several sources of a multi-source item: each part is posted once to its account. quantity, amount_cents and state are then the whole sale\'s.',
    })),
    part_of: Type.Optional(Type.String({ description: 'On a part other than the first of a split sale: the sale it belongs to' })),
  },
  Closed,
);
export type SaleJson = Static<typeof Sale>;

export const SaleParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'The sale id' }) });

export const SaleListQuery = Type.Object({
  state: Type.Optional(SaleStateSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  before: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'A sale id: only sales older than it (the last id of the previous page)',
  })),
});

export const SaleList = Type.Object({ sales: Type.Array(Sale) }, Closed);

export const CancelBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why, for the sale\'s history' })),
    removed_from_pos: Type.Optional(Type.Boolean({
      description: 'Required (true) to cancel an `incomplete` sale: you removed the sale named by its `pos_reference` from the POS, so its units may be released',
    })),
  },
  { additionalProperties: true, examples: [{ reason: 'the customer cancelled the order' }, { reason: 'deleted in Hiboutik', removed_from_pos: true }] },
);

// ---------- runs (issue 12: held runs, undo) ----------

// The maximum keeps an id past what a bigint (and a JS number) holds a 400 instead of a database error.
export const RunParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A sync run id' }) });

export const RunItemsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, description: 'next_cursor of the previous page' })),
});

export const HeldRunsQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const PlanItemJson = Type.Object(
  {
    item_ecommerce_id: Type.String(),
    item_pos_id: Type.String(),
    kind: Type.Union([Type.Literal('count'), Type.Literal('missing'), Type.Literal('uncounted')], {
      description: 'count: the count moves; missing: the POS no longer knows the item (flagged, quantity kept); uncounted: the POS gave no count',
    }),
    before: Nullable(Type.Integer({ description: 'Available (what the shop sees) before' })),
    after: Nullable(Type.Integer({ description: 'Available after, with the reservations of when it was planned' })),
    on_hand_before: Nullable(Type.Integer()),
    on_hand_after: Nullable(Type.Integer()),
    note: Nullable(Type.String()),
  },
  Closed,
);

export const RunDetail = Type.Object(
  {
    run: RunJson,
    account_id: Type.String(),
    held_reason: Nullable(Type.String({ description: 'Why the breaker held it' })),
    decision: Nullable(Type.Union([Type.Literal('applied'), Type.Literal('discarded'), Type.Literal('superseded')])),
    decided_at: Nullable(Timestamp),
    superseded_by: Nullable(Type.Integer()),
    reverted_at: Nullable(Timestamp),
    items_source: Type.Union([Type.Literal('plan'), Type.Literal('journal')], { description: 'plan: a held run\'s stored plan; journal: what an applied run changed' }),
    items: Type.Array(PlanItemJson),
    next_cursor: Nullable(Type.String()),
  },
  Closed,
);

export const RunDecision = Type.Object(
  {
    run: RunDetail,
    written: Type.Integer({ description: 'Items written (apply) or put back (revert)' }),
    skipped: Type.Array(Type.Object({ item_ecommerce_id: Type.String(), reason: Type.String() }, Closed)),
    paused: Nullable(PauseJson),
  },
  Closed,
);

export const HeldRuns = Type.Object(
  {
    runs: Type.Array(Type.Object(
      {
        run_id: Type.Integer(),
        account_id: Type.String(),
        trigger: Type.String(),
        started_at: Timestamp,
        held_reason: Nullable(Type.String()),
        items: Type.Integer({ description: 'Items in its plan' }),
      },
      Closed,
    )),
  },
  Closed,
);

export const Resumed = Type.Object({ account_id: Type.String(), lifted: PauseJson }, Closed);
