import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { relationsCost } from './bucket.ts';
import { orClauses, orCost } from './or-clause.ts';
import type { LightspeedContext } from './context.ts';
import {
  employeeSpec,
  itemShopSpec,
  itemSpec,
  paymentTypeSpec,
  registerSpec,
  renderEmployee,
  renderItem,
  renderItemShop,
  renderPaymentType,
  renderRegister,
  renderSale,
  renderShop,
  saleSpec,
  shopSpec,
} from './entities.ts';
import { lsErrorBody, LsHttpError, oneOrMany, stringifyScalars } from './format.ts';
import { accessDeniedBody } from './oauth.ts';
import { pageUrl, parseQuery, parseRelations, runQuery, type EntitySpec } from './query.ts';
import { createSale, itemPutCost, saleCost, updateItem, updateSale } from './sales.ts';

/** The REST API under /API/V3: bearer auth, the leaky bucket, then the entity routes. */
export const V3 = '/API/V3/Account/:accountID';

interface RouteConfig {
  /** Drips this request costs (§2.8); computed after the body is parsed. */
  cost(request: FastifyRequest): number;
}

// Route config is one global Fastify type; once any plugin (e.g. @fastify/swagger) adds fields to
// it, routes may only pass declared ones, so the simulator declares its own.
declare module 'fastify' {
  interface FastifyContextConfig {
    cost?: (request: FastifyRequest) => number;
  }
}

type Params = Record<string, string>;

const rawQuery = (request: FastifyRequest) => (request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
const searchParams = (request: FastifyRequest) => new URLSearchParams(rawQuery(request));

/** load_relations cost, falling back to the base when the value is bad (the handler then answers 400). */
function readCost<T>(spec: EntitySpec<T>, list: boolean, orCosts: boolean) {
  return (request: FastifyRequest): number => {
    const params = searchParams(request);
    const or = orCosts ? orCost(orClauses(rawQuery(request))) : 0;
    if (list && params.get('count') === '1') return 10 + or;
    try {
      const names = parseRelations(params.get('load_relations'), spec);
      return 1 + relationsCost(names.map((n) => spec.relations[n]!), list) + or;
    } catch {
      return 1 + or;
    }
  };
}

export async function registerApi(scope: FastifyInstance, ctx: LightspeedContext): Promise<void> {
  await scope.register(async (api) => {
    api.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      if (error instanceof LsHttpError) return reply.code(error.statusCode).send(lsErrorBody(error.statusCode, error.message, error.errorClass));
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      return reply.code(status).send(lsErrorBody(status, status === 500 ? 'Internal error' : error.message));
    });

    api.addHook('preHandler', async (request, reply) => {
      const header = request.headers.authorization;
      const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
      if (!token) return reply.code(401).send(accessDeniedBody('Missing "Authorization" header'));
      const verified = ctx.tokens.verify(token);
      if (!verified.ok) return reply.code(401).send(accessDeniedBody(verified.hint));
      const account = (request.params as Params).accountID;
      if (account !== undefined && account !== ctx.accountID) {
        return reply.code(401).send(lsErrorBody(401, `This access token is not valid for account ${account}.`, 'BadAuthenticationRequestError'));
      }
      const config = request.routeOptions.config as unknown as RouteConfig;
      const decision = ctx.bucketFor(verified.clientId).take(config.cost(request), ctx.accountID, verified.clientId);
      reply.headers(decision.headers);
      if (!decision.allowed) {
        const message = decision.limiter === 'api-burst-limiter' ? 'Too many requests in one second.' : 'Rate limit exceeded: the leaky bucket is full.';
        return reply.code(429).send(lsErrorBody(429, message));
      }
    });

    const get = (url: string, cost: RouteConfig['cost'], handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      api.get(url, { config: { cost } as RouteConfig }, handler);
    const write = (method: 'POST' | 'PUT', url: string, cost: RouteConfig['cost'], handler: (request: FastifyRequest) => Promise<unknown>) =>
      api.route({ method, url, config: { cost } as RouteConfig, handler });

    /** A V3 list endpoint: filters, sort, count=1, cursor paging with full next/previous URLs. */
    function list<T>(name: string, spec: EntitySpec<T>, rows: () => Iterable<T>, render: (r: T, relations: string[]) => object) {
      get(`${V3}/${name}.json`, readCost(spec, true, ctx.orCosts), async (request) => {
        const params = searchParams(request);
        const query = parseQuery(params, spec, rawQuery(request));
        const page = runQuery(rows(), spec, query);
        if (query.count) return { '@attributes': { count: String(page.total) } };
        const base = ctx.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
        const path = request.url.split('?')[0]!;
        const link = (direction: 'after' | 'before', cursor: string | null) =>
          cursor === null ? '' : pageUrl(base, path, rawQuery(request), query as never, direction, cursor);
        const body: Record<string, unknown> = {
          '@attributes': { next: link('after', page.nextCursor), previous: link('before', page.previousCursor) },
        };
        const records = oneOrMany(page.rows.map((r) => stringifyScalars(render(r, query.relations))));
        if (records !== undefined) body[spec.name] = records;
        return body;
      });
    }

    /** A single-record GET: {"@attributes":{"count":"1"}, "Entity": {…}} or 404. */
    function single<T>(name: string, param: string, spec: EntitySpec<T>, find: (id: string) => T | undefined, render: (r: T, relations: string[]) => object) {
      get(`${V3}/${name}/:${param}.json`, readCost(spec, false, ctx.orCosts), async (request) => {
        const id = (request.params as Params)[param] ?? '';
        const relations = parseRelations(searchParams(request).get('load_relations'), spec);
        const record = /^[0-9]+$/.test(id) ? find(String(Number(id))) : undefined;
        if (record === undefined) throw new LsHttpError(404, `${spec.name} ${id} not found.`);
        return wrapOne(spec.name, render(record, relations));
      });
    }

    const wrapOne = (name: string, record: object) => ({ '@attributes': { count: '1' }, [name]: stringifyScalars(record) });
    const items = itemSpec(() => ctx.store);

    get('/API/V3/Account.json', () => 1, async () => wrapOne('Account', accountRecord(ctx)));
    get(`${V3}.json`, () => 1, async () => wrapOne('Account', accountRecord(ctx)));

    list('Item', items, () => ctx.store.items.values(), (r, rel) => renderItem(r, ctx.store, rel));
    single('Item', 'itemID', items, (id) => ctx.store.items.get(id), (r, rel) => renderItem(r, ctx.store, rel));
    list('ItemShop', itemShopSpec, () => ctx.store.itemShops.values(), renderItemShop);
    single('ItemShop', 'itemShopID', itemShopSpec, (id) => ctx.store.itemShops.get(id), renderItemShop);
    list('Shop', shopSpec, () => ctx.store.shops.values(), renderShop);
    single('Shop', 'shopID', shopSpec, (id) => ctx.store.shops.get(id), renderShop);
    list('Register', registerSpec, () => ctx.store.registers.values(), renderRegister);
    single('Register', 'registerID', registerSpec, (id) => ctx.store.registers.get(id), renderRegister);
    list('Employee', employeeSpec, () => ctx.store.employees.values(), renderEmployee);
    single('Employee', 'employeeID', employeeSpec, (id) => ctx.store.employees.get(id), renderEmployee);
    list('PaymentType', paymentTypeSpec, () => ctx.store.paymentTypes.values(), renderPaymentType);
    single('PaymentType', 'paymentTypeID', paymentTypeSpec, (id) => ctx.store.paymentTypes.get(id), renderPaymentType);
    list('Sale', saleSpec, () => ctx.store.sales.values(), renderSale);
    single('Sale', 'saleID', saleSpec, (id) => ctx.store.sales.get(id), renderSale);

    const withLines = ['SaleLines', 'SalePayments'];
    write('POST', `${V3}/Sale.json`, (r) => saleCost(r.body), async (request) =>
      wrapOne('Sale', renderSale(createSale(ctx, request.body, `POST ${V3}/Sale.json`), withLines)),
    );
    write('PUT', `${V3}/Sale/:saleID.json`, (r) => saleCost(r.body), async (request) => {
      const id = (request.params as Params).saleID ?? '';
      return wrapOne('Sale', renderSale(updateSale(ctx, String(Number(id)), request.body, `PUT ${V3}/Sale/:saleID.json`), withLines));
    });
    write('PUT', `${V3}/Item/:itemID.json`, (r) => itemPutCost(r.body), async (request) => {
      const id = (request.params as Params).itemID ?? '';
      const item = updateItem(ctx, String(Number(id)), request.body, `PUT ${V3}/Item/:itemID.json`);
      return wrapOne('Item', renderItem(item, ctx.store, ['ItemShops']));
    });
  });
}

function accountRecord(ctx: LightspeedContext) {
  return { accountID: ctx.accountID, name: ctx.accountName, link: { '@attributes': { href: `/API/V3/Account/${ctx.accountID}` } } };
}
