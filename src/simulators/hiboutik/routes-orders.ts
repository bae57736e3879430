import { invalid } from './errors.ts';
import { asBody, intField, intFieldAny, pathInt, textField } from './fields.ts';
import type { RouteContext, RouteSpec } from './routing.ts';
import { WEBHOOK_ACTIONS } from './types.ts';
import { detailView, inputView, webhookView } from './views.ts';

type Params = Record<string, string | undefined>;

/** Stock orders ("inventory inputs") and the webhook registry. */
export function orderRoutes({ store, settleWebhooks }: RouteContext): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/inventory_inputs',
      handler: async (request, reply) => {
        const body = asBody(request.body);
        const input = store.createInput(intField(body, 'stock_id'), textField(body, 'inventory_input_label', ''));
        return reply.code(201).send({ inventory_input_id: input.id });
      },
    },
    {
      method: 'GET',
      path: '/inventory_inputs',
      handler: async () => [...store.inputs.values()].map(inputView),
    },
    {
      method: 'GET',
      path: '/inventory_inputs/:inventory_input_id',
      handler: async (request) => [inputView(store.input(pathInt((request.params as Params).inventory_input_id, 'inventory_input_id')))],
    },
    {
      method: 'POST',
      path: '/inventory_input_details/:inventory_input_id',
      handler: async (request, reply) => {
        const body = asBody(request.body);
        const detail = store.addDetail(pathInt((request.params as Params).inventory_input_id, 'inventory_input_id'), {
          productId: intField(body, 'product_id'),
          size: intFieldAny(body, ['product_size', 'size_id'], 0),
          quantity: intField(body, 'quantity'),
        });
        return reply.code(201).send({ inventory_input_detail_id: detail.id });
      },
    },
    {
      method: 'GET',
      path: '/inventory_input_details/:inventory_input_id',
      handler: async (request) => {
        const input = store.input(pathInt((request.params as Params).inventory_input_id, 'inventory_input_id'));
        return input.details.map((detail) => detailView(input, detail));
      },
    },
    {
      method: 'POST',
      path: '/inventory_input_validate',
      handler: async (request, _reply, endpoint) => {
        const input = store.validateInput(intField(asBody(request.body), 'inventory_input_id'), { source: 'api', endpoint });
        await settleWebhooks('stock_order');
        return { inventory_input_id: input.id, validated: 1 };
      },
    },
    {
      method: 'POST',
      path: '/webhooks',
      handler: async (request) => {
        const body = asBody(request.body);
        const url = textField(body, 'webhook_url');
        if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw invalid('webhook_url must be an http(s) URL', { webhook_url: 'Invalid URL' });
        const action = textField(body, 'webhook_action');
        if (!(WEBHOOK_ACTIONS as readonly string[]).includes(action)) {
          throw invalid(`Unknown webhook_action ${action}`, { webhook_action: `One of ${WEBHOOK_ACTIONS.join(', ')}` });
        }
        const asyncFlag = intField(body, 'webhook_async', 0);
        const hook = store.addWebhook({
          label: textField(body, 'webhook_label', ''),
          url,
          action,
          appId: textField(body, 'webhook_app_id_int', ''),
          async: asyncFlag === 1 ? 1 : 0,
        });
        // 200, not 201: the clients we know check for 200 here.
        return { webhook_id: hook.id };
      },
    },
    {
      method: 'GET',
      path: '/webhooks',
      handler: async () => [...store.webhooks.values()].map(webhookView),
    },
    {
      method: 'DELETE',
      path: '/webhooks/:webhook_id',
      handler: async (request) => {
        const id = pathInt((request.params as Params).webhook_id, 'webhook_id');
        store.deleteWebhook(id);
        return { webhook_id: id };
      },
    },
  ];
}
