import type { FastifyInstance } from 'fastify';
import { invalidRequest, notFound } from './errors.ts';
import { isObject, versionOf, type SquareContext } from './context.ts';
import type { Subscription } from './webhooks.ts';

/** ListLocations and the webhook subscription endpoints. */
export function registerAccountRoutes(api: FastifyInstance, ctx: SquareContext): void {
  api.get('/v2/locations', { config: { scope: 'MERCHANT_PROFILE_READ' } }, async () => ({ locations: ctx.state.locations }));

  api.post('/v2/webhooks/subscriptions', async (request) => {
    const body = request.body;
    if (!isObject(body)) throw invalidRequest('EXPECTED_JSON_BODY', 'The request body must be a JSON object.');
    const input = body.subscription;
    if (!isObject(input)) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter subscription.', 'subscription');
    const key = typeof body.idempotency_key === 'string' ? body.idempotency_key : undefined;
    const earlier = key === undefined ? undefined : ctx.webhooks.get(ctx.webhooks.createdByKey.get(key) ?? '');
    if (earlier) return { subscription: earlier };
    const url = input.notification_url;
    if (typeof url !== 'string' || url === '') throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter notification_url.', 'subscription.notification_url');
    if (!/^https?:\/\//.test(url)) throw invalidRequest('INVALID_VALUE', 'notification_url must be an http(s) URL.', 'subscription.notification_url');
    const eventTypes = input.event_types;
    if (!Array.isArray(eventTypes) || eventTypes.length === 0 || eventTypes.some((t) => typeof t !== 'string')) {
      throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'event_types must list at least one event type.', 'subscription.event_types');
    }
    const subscription = ctx.webhooks.create({
      notificationUrl: url,
      eventTypes: eventTypes as string[],
      ...(typeof input.name === 'string' ? { name: input.name } : {}),
      ...(typeof input.enabled === 'boolean' ? { enabled: input.enabled } : {}),
      apiVersion: typeof input.api_version === 'string' ? input.api_version : versionOf(request, ctx),
    });
    if (key !== undefined) ctx.webhooks.createdByKey.set(key, subscription.id);
    return { subscription };
  });

  api.get<{ Querystring: { include_disabled?: string } }>('/v2/webhooks/subscriptions', async (request) => {
    const all = ctx.webhooks.list().filter((s) => s.enabled || request.query.include_disabled === 'true');
    return all.length > 0 ? { subscriptions: all } : {};
  });

  const find = (id: string): Subscription => {
    const subscription = ctx.webhooks.get(id);
    if (!subscription) throw notFound(`Subscription ${id} not found.`, 'subscription_id');
    return subscription;
  };

  api.get<{ Params: { subscription_id: string } }>('/v2/webhooks/subscriptions/:subscription_id', async (request) => ({ subscription: find(request.params.subscription_id) }));

  api.put<{ Params: { subscription_id: string } }>('/v2/webhooks/subscriptions/:subscription_id', async (request) => {
    const subscription = find(request.params.subscription_id);
    const input = isObject(request.body) ? request.body.subscription : undefined;
    if (!isObject(input)) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter subscription.', 'subscription');
    if (typeof input.name === 'string') subscription.name = input.name;
    if (typeof input.enabled === 'boolean') subscription.enabled = input.enabled;
    if (typeof input.notification_url === 'string') subscription.notification_url = input.notification_url;
    if (Array.isArray(input.event_types)) subscription.event_types = input.event_types.filter((t): t is string => typeof t === 'string');
    subscription.updated_at = new Date(ctx.kit.clock.now()).toISOString();
    return { subscription };
  });

  api.delete<{ Params: { subscription_id: string } }>('/v2/webhooks/subscriptions/:subscription_id', async (request) => {
    find(request.params.subscription_id);
    ctx.webhooks.delete(request.params.subscription_id);
    return {};
  });
}
