/**
 * The synchronizer: status, start (optionally with a new cron), stop, force a poll. The POSTs take
 * an optional body because the original's scripts send none (with or without a content type).
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Service } from '../../engine/ports.ts';
import { toQueuedJson, toStatusJson } from '../convert.ts';
import {
  AccountSelector,
  apiBaseErrors,
  bodyErrors,
  errors,
  Queued,
  StartBody,
  SynchronizerStatus,
} from '../schemas.ts';
import { apiSecurity, assertKnownAccount, OPTIONAL_BODY_FLAG, optionalBody } from './common.ts';

const tags = ['synchronizer'];

export async function synchronizerRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;

  app.get('/synchronizer', {
    schema: {
      tags,
      summary: 'Whether the schedule runs, its cron, and the last run of each account',
      security: apiSecurity,
      response: { 200: SynchronizerStatus, ...apiBaseErrors },
    },
  }, async () => toStatusJson(await service.synchronizer.status()));

  app.post<{ Body: Static<typeof StartBody> }>('/synchronizer/start', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Start the schedule, optionally with a new cron and time zone (stored; kept across restarts)',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      body: StartBody,
      response: { 200: SynchronizerStatus, ...bodyErrors, ...apiBaseErrors },
    },
  }, async (request) => {
    const change: { cron?: string; timeZone?: string } = {};
    if (request.body.cron !== undefined) change.cron = request.body.cron;
    if (request.body.time_zone !== undefined) change.timeZone = request.body.time_zone;
    const status = await service.synchronizer.start(Object.keys(change).length > 0 ? change : undefined);
    return toStatusJson(status);
  });

  app.post('/synchronizer/stop', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Stop the schedule (polls already queued still run)',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      // Declared so a stray JSON body is parsed and ignored rather than refused.
      body: { type: 'object' },
      response: { 200: SynchronizerStatus, ...bodyErrors, ...apiBaseErrors },
    },
  }, async () => toStatusJson(await service.synchronizer.stop()));

  app.post<{ Body: Static<typeof AccountSelector>; Querystring: Static<typeof AccountSelector> }>('/synchronizer/forceUpdate', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Queue a poll now, for one account or all',
      description: '`account_id` may be given in the JSON body or the query string (body wins). A poll already queued for an account absorbs this one, and its `job_id` is returned. Each `job_id` resolves at `GET /api/itemstask/{jobID}`.',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      querystring: AccountSelector,
      body: AccountSelector,
      response: { 202: Queued, ...bodyErrors, 404: errors[404], ...apiBaseErrors },
    },
  }, async (request, reply) => {
    const fromBody = request.body.account_id;
    const accountId = fromBody ?? request.query.account_id;
    if (accountId !== undefined) assertKnownAccount(service, accountId, 'account_id');
    const queued = await service.synchronizer.forceUpdate(accountId);
    return reply.code(202).send(toQueuedJson(queued));
  });
}
