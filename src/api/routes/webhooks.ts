/**
 * POS webhooks, outside /api: a POS cannot send X-Api-Key, so each delivery is proven by its
 * signature (Square) or by the secret token in its URL (Hiboutik), checked by the engine before
 * anything is written. Bodies are kept raw (a signature covers the exact bytes) and capped.
 * The set-up call is an ordinary /api route (API key when keys are configured).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Service } from '../../engine/ports.ts';
import { AccountParams, apiBaseErrors, bodyErrors, described, errors, ErrorBody } from '../schemas.ts';
import { apiSecurity, assertKnownAccount, OPTIONAL_BODY_FLAG, optionalBody } from './common.ts';

/** Square sends ≤ 100 counts per notification (~30 KB); a Hiboutik sale is a few KB. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

const tags = ['webhooks'];

const DeliveryParams = Type.Object({
  pos: Type.String({ description: 'square or hiboutik' }),
  accountId: Type.String({ minLength: 1 }),
});
const TokenParams = Type.Object({ ...DeliveryParams.properties, token: Type.String({ minLength: 1, description: "The secret token from `possync webhooks setup` (POS that sign nothing)" }) });

const Received = Type.Object(
  {
    received: Type.Boolean(),
    outcome: Type.Union([Type.Literal('queued'), Type.Literal('duplicate'), Type.Literal('ignored')], {
      description: 'queued: applied within seconds; duplicate: an event id seen before; ignored: not about this account’s stock',
    }),
  },
  { additionalProperties: false },
);

const deliveryResponses = {
  200: Received,
  400: described(ErrorBody, 'Unreadable body'),
  401: described(ErrorBody, 'Unsigned delivery, or a URL without its token'),
  403: described(ErrorBody, 'Forged or stale delivery, wrong token, or no webhook set up: nothing written'),
  404: described(ErrorBody, 'No account of that POS with that id takes webhooks'),
  413: errors[413],
  500: errors[500],
};

const SetupBody = Type.Object(
  { manual: Type.Optional(Type.Boolean({ description: 'Do not call the POS: store what possync can and return the steps to do by hand' })) },
  { additionalProperties: false },
);
const SetupResult = Type.Object(
  {
    account_id: Type.String(),
    pos: Type.String(),
    mode: Type.Union(['registered', 'manual', 'change-poll', 'none'].map((m) => Type.Literal(m))),
    notification_url: Type.Union([Type.String(), Type.Null()], {
      description: 'Where the POS posts. A Hiboutik URL holds its secret token: in full only when mode is manual (to paste; never stored), with <token> otherwise',
    }),
    lines: Type.Array(Type.String(), { description: 'What was done, or what to paste where' }),
  },
  { additionalProperties: false },
);

/** The webhook receivers, with their own raw-body parsing; no API key. */
export async function webhookRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

  // One handler for both forms: the token, when the route has one, is the POS's proof.
  const handler = async (request: FastifyRequest<{ Params: Static<typeof TokenParams> | Static<typeof DeliveryParams> }>, reply: FastifyReply) => {
    const { pos, accountId } = request.params;
    const token = 'token' in request.params ? request.params.token : undefined;
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : '';
    const answer = await service.webhooks.receive(pos, accountId, token ?? null, { body, contentType, headers: request.headers });
    return reply.code(answer.status).send(answer.body);
  };
  const routes = [
    { url: '/webhooks/:pos/:accountId', params: DeliveryParams, summary: 'A signed POS webhook (Square inventory.count.updated): 200 at once, applied by a job' },
    { url: '/webhooks/:pos/:accountId/:token', params: TokenParams, summary: 'An unsigned POS webhook (Hiboutik sale, stock_order, product) proven by its URL token' },
  ];
  for (const { url, params, summary } of routes) {
    app.post<{ Params: Static<typeof TokenParams> | Static<typeof DeliveryParams> }>(url, { bodyLimit: WEBHOOK_BODY_LIMIT, schema: { tags, summary, params, response: deliveryResponses } }, handler);
  }
}

/** POST /api/webhooks/{accountID}/setup, inside the /api scope. */
export async function webhookSetupRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;
  app.post<{ Params: Static<typeof AccountParams>; Body: Static<typeof SetupBody> }>('/webhooks/:accountID/setup', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Register possync’s webhook URL with the account’s POS, or get what to paste by hand',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      params: AccountParams,
      body: SetupBody,
      response: { 200: SetupResult, 404: errors[404], ...bodyErrors, ...apiBaseErrors },
    },
  }, async (request) => {
    assertKnownAccount(service, request.params.accountID, 'accountID');
    const result = await service.webhooks.setup(request.params.accountID, request.body.manual === undefined ? {} : { manual: request.body.manual });
    return { account_id: result.accountId, pos: result.pos, mode: result.mode, notification_url: result.notificationUrl, lines: result.lines };
  });
}
