/**
 * Held runs and undo (issue 12): read a run with its plan (paged), apply or discard a held run,
 * revert an applied one, resume an account's polls after a revert. Write routes sit behind the
 * API key like every /api route.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Service } from '../../engine/ports.ts';
import { toHeldRunsJson, toRunDecisionJson, toRunDetailJson } from '../convert.ts';
import { AccountParams, apiBaseErrors, bodyErrors, errors, HeldRuns, HeldRunsQuery, Resumed, RunDecision, RunDetail, RunItemsQuery, RunParams } from '../schemas.ts';
import { apiSecurity, assertKnownAccount, OPTIONAL_BODY_FLAG, optionalBody } from './common.ts';

const tags = ['runs'];

export async function runRoutes(app: FastifyInstance, opts: { service: Service }): Promise<void> {
  const { service } = opts;
  const decision = (summary: string, description: string) => ({
    ...optionalBody,
    schema: {
      tags,
      summary,
      description,
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      params: RunParams,
      body: { type: 'object' },
      response: { 200: RunDecision, ...bodyErrors, 404: errors[404], 409: errors[409], ...apiBaseErrors },
    },
  });

  app.get<{ Querystring: Static<typeof HeldRunsQuery> }>('/runs', {
    schema: {
      tags,
      summary: 'Runs held by the breaker, newest first',
      security: apiSecurity,
      querystring: HeldRunsQuery,
      response: { 200: HeldRuns, 404: errors[404], ...apiBaseErrors },
    },
  }, async (request) => {
    if (request.query.account_id !== undefined) assertKnownAccount(service, request.query.account_id, 'account_id');
    return toHeldRunsJson(await service.runs.held(request.query.account_id));
  });

  app.get<{ Params: Static<typeof RunParams>; Querystring: Static<typeof RunItemsQuery> }>('/runs/:id', {
    schema: {
      tags,
      summary: 'A sync run with its items: the plan of a held run, or what an applied run changed (paged by item id)',
      security: apiSecurity,
      params: RunParams,
      querystring: RunItemsQuery,
      response: { 200: RunDetail, 404: errors[404], ...apiBaseErrors },
    },
  }, async (request) => {
    const page = { limit: request.query.limit ?? 100, ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}) };
    return toRunDetailJson(await service.runs.get(request.params.id, page));
  });

  app.post<{ Params: Static<typeof RunParams> }>('/runs/:id/apply', decision(
    'Apply a held run: write exactly its plan',
    'Writes the plan\'s counts for the plan\'s items only. Available quantities are recomputed with the reservations of now; an item read again since the plan keeps the newer count (listed in `skipped`). Only the newest held run of an account can be applied: an older one answers 409 naming it.',
  ), async (request) => toRunDecisionJson(await service.runs.apply(request.params.id)));

  app.post<{ Params: Static<typeof RunParams> }>('/runs/:id/discard', decision(
    'Discard a held run: write nothing',
    'The account is released from the hold; its next poll is planned and measured afresh.',
  ), async (request) => toRunDecisionJson(await service.runs.discard(request.params.id)));

  app.post<{ Params: Static<typeof RunParams> }>('/runs/:id/revert', decision(
    'Undo an applied run',
    'Puts back, in the core and the shop table, the counts the run replaced, for items whose count has not changed since (others are listed in `skipped`). Journaled with cause `revert`. The account\'s polls then pause until POST /api/accounts/{id}/resume.',
  ), async (request) => toRunDecisionJson(await service.runs.revert(request.params.id)));

  app.post<{ Params: Static<typeof AccountParams> }>('/accounts/:accountID/resume', {
    ...optionalBody,
    schema: {
      tags,
      summary: 'Resume the polls of an account paused by a revert',
      security: apiSecurity,
      [OPTIONAL_BODY_FLAG]: true,
      params: AccountParams,
      body: { type: 'object' },
      response: { 200: Resumed, ...bodyErrors, 404: errors[404], 409: errors[409], ...apiBaseErrors },
    },
  }, async (request) => {
    assertKnownAccount(service, request.params.accountID, 'accountID');
    const resumed = await service.runs.resume(request.params.accountID);
    return { account_id: resumed.accountId, lifted: { reason: resumed.lifted.reason, run_id: resumed.lifted.runId, paused_at: resumed.lifted.pausedAt } };
  });
}
