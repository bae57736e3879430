/**
 * Sales: the original's `POST /api/synchronizer/sale` (an online sale to post to the POS), and the
 * ledger behind it. A 202 means the sale is durably in the ledger and its units are reserved; the
 * POS gets it from a job, exactly once (DESIGN §4 rules 1–3).
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EngineInputError, type SaleIntakeResult, type Service } from '../../engine/ports.ts';
import { saleLocation, toCancelledSaleJson, toSaleAcceptedJson, toSaleJson, toSaleRequest } from '../convert.ts';
import { CodedInputError } from '../errors.ts';
import {
  apiBaseErrors,
  bodyErrors,
  CancelBody,
  CancelledSale,
  described,
  ErrorBody,
  errors,
  Sale,
  SaleAccepted,
  SaleBody,
  SaleHeaders,
  SaleList,
  SaleListQuery,
  SaleParams,
  type SaleBodyJson,
} from '../schemas.ts';
import { apiSecurity, OPTIONAL_BODY_FLAG, optionalBody } from './common.ts';

const tags = ['sales'];
const IDEMPOTENCY_HEADER = 'Idempotency-Key';

const unknownSale = (id: string) => new EngineInputError('id', `No sale "${id}"`, 404);
const notFound = described(ErrorBody, 'Unknown sale');

/**
 * The route validates with attachValidation so a bad header gets a sentence people can act on
 * (Ajv would quote the regex and the lower-cased header name); body errors go out as usual.
 */
function throwValidationError(request: FastifyRequest): void {
  const failure = request.validationError as (Error & { validationContext?: string }) | undefined;
  if (!failure) return;
  if (failure.validationContext === 'headers') {
    throw new EngineInputError(IDEMPOTENCY_HEADER, `${IDEMPOTENCY_HEADER} must be 1–255 printable ASCII characters (no leading or trailing space)`);
  }
  throw failure;
}

/** Why a sale was refused, with the number a shop can still sell (rule 10: say what would pass). */
function insufficientError(ecommerceId: string, delta: number, result: Extract<SaleIntakeResult, { outcome: 'insufficient' }>) {
  const { available, limitQuantity } = result;
  const details = { available, limitQuantity };
  if (available === null) {
    return new EngineInputError('delta', `Item ${ecommerceId} has no stock count yet (not polled since it was mapped); nothing was sold`, 409, details);
  }
  const sellable = Math.max(0, available - limitQuantity);
  return new EngineInputError(
    'delta',
    `Only ${sellable} unit${sellable === 1 ? '' : 's'} of item ${ecommerceId} can be sold ` +
      `(${available} available, ${limitQuantity} kept back by limit_quantity); asked for ${delta}. Nothing was sold.`,
    409,
    details,
  );
}

/** The ledger's 422 only means "this key was used for another sale"; say so, naming where the key came from. */
function keyReusedError(err: EngineInputError, body: SaleBodyJson, headerKey: string | undefined) {
  const [field, source] = headerKey !== undefined
    ? [IDEMPOTENCY_HEADER, `${IDEMPOTENCY_HEADER} ${JSON.stringify(headerKey)}`]
    : ['reference', `reference ${JSON.stringify(body.reference)} (the idempotency key when no ${IDEMPOTENCY_HEADER} is sent)`];
  return new CodedInputError(
    'idempotency_key_reused',
    field,
    `${source} was already used for a sale with another item_ecommerce_id, delta, balance or reference; use a new key for a new sale`,
    422,
    err.details,
  );
}

export async function saleRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;

  app.post<{ Body: SaleBodyJson; Headers: Static<typeof SaleHeaders> }>('/synchronizer/sale', {
    attachValidation: true,
    schema: {
      tags,
      summary: 'Record an online sale and post it to the POS (once)',
      description:
        'Reserves the units (only if `available − delta ≥ limit_quantity`), writes the sale to the ledger ' +
        'and queues its posting to the POS, all before answering 202. Send an `Idempotency-Key` header ' +
        '(or a `reference`, used as the key when no header is sent) so a retried request cannot sell twice: ' +
        'the same key with the same body answers with the same sale; with another body, 422.',
      security: apiSecurity,
      headers: SaleHeaders,
      body: SaleBody,
      response: {
        202: {
          ...SaleAccepted,
          description: 'In the ledger, units reserved; follow the sale at Location. A replay of the same key and body answers the same.',
          headers: {
            Location: { type: 'string', description: '/api/sales/{sale_id}' },
            'Idempotent-Replayed': { type: 'string', description: '"true" when this answers a request already accepted under the same key' },
          },
        },
        ...bodyErrors,
        ...apiBaseErrors,
        404: described(ErrorBody, 'No mapped item with this item_ecommerce_id'),
        409: described(ErrorBody, 'Not enough stock above limit_quantity (`details.available`, `details.limit_quantity`), or the item\'s account is no longer configured (`details.account_id`). Nothing was written.'),
        422: described(ErrorBody, '`idempotency_key_reused`: the key (header or reference) belongs to a sale with another body'),
      },
    },
  }, async (request, reply) => {
    throwValidationError(request);
    const body = request.body;
    const headerKey = request.headers['idempotency-key'];
    let result: SaleIntakeResult;
    try {
      result = await service.sales.accept(toSaleRequest(body, headerKey));
    } catch (err) {
      if (err instanceof EngineInputError && err.status === 422) throw keyReusedError(err, body, headerKey);
      throw err;
    }
    if (result.outcome === 'insufficient') throw insufficientError(String(body.item_ecommerce_id), body.delta, result);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).header('location', saleLocation(result.sale.id)).send(toSaleAcceptedJson(result.sale));
  });

  app.get<{ Querystring: Static<typeof SaleListQuery> }>('/sales', {
    schema: {
      tags,
      summary: 'Sales in the ledger, newest first',
      description: 'Page with `before` = the last `sale_id` of the previous page. An unknown `before` gives an empty page.',
      security: apiSecurity,
      querystring: SaleListQuery,
      response: { 200: SaleList, 400: errors[400], ...apiBaseErrors },
    },
  }, async (request) => {
    const { state, limit, before } = request.query;
    const query: { state?: typeof state; limit?: number; before?: string } = {};
    if (state !== undefined) query.state = state;
    if (limit !== undefined) query.limit = limit;
    if (before !== undefined) query.before = before;
    const sales = await service.sales.list(query);
    return { sales: sales.map(toSaleJson) };
  });

  app.get<{ Params: Static<typeof SaleParams> }>('/sales/:id', {
    schema: {
      tags,
      summary: 'A sale, with its state history',
      security: apiSecurity,
      params: SaleParams,
      response: { 200: Sale, 400: errors[400], 404: notFound, ...apiBaseErrors },
    },
  }, async (request) => {
    const sale = await service.sales.get(request.params.id);
    if (!sale) throw unknownSale(request.params.id);
    return toSaleJson(sale);
  });

  app.post<{ Params: Static<typeof SaleParams> }>('/sales/:id/retry', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Post a failed or incomplete sale to the POS again',
      description:
        'Only a `failed` or `incomplete` sale can be retried; it goes back to `dispatching`. Its id stays the same and the POS is read first, ' +
        'so the POS cannot record it twice: an incomplete sale is finished where it stands (its lines are not added again). ' +
        'On a split sale\'s id, every failed or incomplete part is retried.',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      params: SaleParams,
      // Declared so a stray JSON body is parsed and ignored rather than refused.
      body: { type: 'object' },
      response: {
        202: { ...Sale, description: 'Queued again' },
        ...bodyErrors,
        404: notFound,
        409: described(ErrorBody, 'The sale is not `failed` or `incomplete` (a split sale: none of its parts is)'),
        ...apiBaseErrors,
      },
    },
  }, async (request, reply) => {
    const sale = await service.sales.retry(request.params.id);
    return reply.code(202).send(toSaleJson(sale));
  });

  app.post<{ Params: Static<typeof SaleParams>; Body: Static<typeof CancelBody> }>('/sales/:id/cancel', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Cancel a sale not yet on the POS and release its units',
      description:
        'Only an `accepted`, `failed` or `incomplete` sale can be cancelled. An `incomplete` sale is held on the POS (see its `pos_reference`): ' +
        'cancel it only after removing it there, and say so with `removed_from_pos: true`. The optional `reason` goes into its history. ' +
        'On a split sale\'s id, every part its POS does not have is cancelled (each part\'s units released on its own source) and the parts ' +
        'left alone (posted, being posted, or incomplete without `removed_from_pos`) are listed in `not_cancelled` with why.',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      params: SaleParams,
      body: CancelBody,
      response: {
        200: { ...CancelledSale, description: 'Cancelled (a split sale: every part that could be; see `not_cancelled`)' },
        ...bodyErrors,
        404: notFound,
        409: described(ErrorBody, 'The sale is being posted, is already posted or cancelled, or is incomplete without `removed_from_pos: true`; a split sale: no part could be cancelled (`details.not_cancelled` names them, with why)'),
        ...apiBaseErrors,
      },
    },
  }, async (request) => toCancelledSaleJson(await service.sales.cancel(request.params.id, request.body.reason, { removedFromPos: request.body.removed_from_pos })));
}
