/**
 * The dashboard as a Fastify plugin, mounted at /hangfire (the original's URL) with /dashboard as
 * an alias. Server-rendered pages over the core and pg-boss's tables; actions through the same
 * engine calls as the API; access as described in access.ts.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { keyCheck } from '../api/auth.ts';
import { EngineInputError } from '../engine/ports.ts';
import { html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import { clearSessionCookie, csrfMatches, DashboardAccess, sameOrigin, SESSION_COOKIE, setSessionCookie, type Viewer } from './access.ts';
import type { DashboardEnv, DashboardOptions } from './env.ts';
import { DashboardError } from './errors.ts';
import { recordAction } from './queries/activity.ts';
import { assetRoutes } from './assets.ts';
import { overviewRoutes } from './pages/overview.ts';
import { jobRoutes } from './pages/jobs.ts';
import { recurringRoutes } from './pages/recurring.ts';
import { serverRoutes } from './pages/servers.ts';
import { accountRoutes } from './pages/accounts.ts';
import { itemRoutes } from './pages/items.ts';
import { saleRoutes } from './pages/sales.ts';
import { runRoutes } from './pages/runs.ts';
import { heldRoutes } from './pages/held.ts';

export const DASHBOARD_PATH = '/hangfire';
export const DASHBOARD_ALIAS = '/dashboard';

/** What an action leaves on the page it lands on (codes, so a crafted link cannot write text). */
const NOTICES: Record<string, string> = {
  requeued: 'The job was requeued.',
  deleted: 'The job was deleted.',
  triggered: 'A poll was queued; it appears under Runs when it starts.',
  'already-queued': 'A poll of this account was already waiting; this request joined it.',
  'cron-saved': 'The schedule was saved and the synchronizer is running.',
  paused: 'Scheduled polls are paused.',
  resumed: 'Scheduled polls are running again.',
  retried: 'The sale is queued to be posted again.',
  cancelled: 'The sale was cancelled and its units given back.',
  'signed-in': 'Signed in.',
  'run-applied': 'The plan was written to possync and the shop table.',
  'run-discarded': 'The plan was discarded; nothing was written.',
  'run-reverted': 'The run was reverted; this account\'s polls are paused until resumed.',
  'polls-resumed': 'Polls of this account run again.',
};

/** Registers the dashboard (and its alias) on `app`. */
export async function dashboardPlugin(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  await app.register(async (scope) => dashboardScope(scope, options), { prefix: DASHBOARD_PATH });
  // The alias sends the browser to the one real mount point, so cookies and links stay on one path.
  const toMain = async (request: FastifyRequest, reply: FastifyReply) => reply.redirect(DASHBOARD_PATH + request.url.slice(DASHBOARD_ALIAS.length), 308);
  app.get(DASHBOARD_ALIAS, toMain);
  app.get(`${DASHBOARD_ALIAS}/*`, toMain);
}

async function dashboardScope(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const access = new DashboardAccess(keyCheck(options.apiKeys));
  const viewers = new WeakMap<FastifyRequest, Viewer | null>();
  const base = DASHBOARD_PATH;

  const ctx = (request: FastifyRequest): PageContext => {
    const code = (request.query as Record<string, unknown> | undefined)?.['done'];
    return { base, viewer: viewers.get(request) ?? null, readOnly: options.readOnly, notice: typeof code === 'string' ? (NOTICES[code] ?? null) : null };
  };
  const env: DashboardEnv = {
    deps: options,
    readOnly: options.readOnly,
    ctx,
    async journal(request, action, target, detail = '') {
      await recordAction(options.sql, { action, target, detail, actor: viewers.get(request)?.actor ?? 'unknown' });
    },
    done: (path, notice) => `${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(notice)}`,
  };

  const openPath = (url: string) => {
    const path = url.slice(base.length).split('?')[0] ?? '';
    return path === '/login' || path.startsWith('/assets/');
  };

  app.addHook('onRequest', async (request, reply) => {
    const decision = access.decide(request, openPath(request.url));
    if (decision.ok) {
      viewers.set(request, decision.viewer);
      return;
    }
    // A page load goes to the login page; a live-update fragment (htmx) just stops with a 401.
    if (decision.login && request.method === 'GET' && request.headers['hx-request'] === undefined) {
      return reply.redirect(`${base}/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    return sendPage(reply, decision.status, errorPage({ base, viewer: null, readOnly: options.readOnly }, decision.status === 401 ? 'Sign in needed' : 'Not allowed here', decision.reason));
  });

  // Every state-changing request: same origin and this viewer's CSRF token; none in read-only mode.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const path = request.url.slice(base.length).split('?')[0];
    const fail = (reason: string) => sendPage(reply, 403, errorPage(ctx(request), 'Refused', reason));
    if (!sameOrigin(request)) return fail('This request came from another site; the dashboard accepts actions only from its own pages.');
    if (path === '/login') return;
    if (!csrfMatches(viewers.get(request) ?? null, (request.body as Record<string, unknown> | undefined)?.['_csrf'])) {
      return fail('This form is out of date or did not come from the dashboard (its security token is missing or wrong). Reload the page and try again.');
    }
    if (options.readOnly && path !== '/logout') return fail('The dashboard is read-only (Dashboard.ReadOnly in the configuration).');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof DashboardError || error instanceof EngineInputError;
    const status = known ? (error as DashboardError | EngineInputError).status : (error.statusCode ?? 500) < 500 ? (error.statusCode as number) : 500;
    if (status >= 500) request.log.error({ err: error }, 'dashboard page failed');
    const message = status >= 500 ? `Something went wrong on the server (request ${request.id}); the log has the details.` : error.message;
    return sendPage(reply, status, errorPage(ctx(request), status === 404 ? 'Not found' : status >= 500 ? 'Server error' : 'Not done', message));
  });
  app.setNotFoundHandler((request, reply) => sendPage(reply, 404, errorPage(ctx(request), 'Not found', `Nothing at ${request.url}.`)));

  await app.register(assetRoutes);
  await loginRoutes(app, access, ctx);
  for (const routes of [overviewRoutes, jobRoutes, recurringRoutes, serverRoutes, accountRoutes, itemRoutes, saleRoutes, runRoutes, heldRoutes]) {
    await app.register(async (scope) => routes(scope, env));
  }
}

function sendPage(reply: FastifyReply, status: number, body: { value: string }) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.value);
}

function errorPage(ctx: PageContext, title: string, message: string) {
  return page(ctx, '-', title, html`<p class="notice bad" role="alert">${message}</p><p><a href="${ctx.base}">Back to the overview</a></p>`);
}

async function loginRoutes(app: FastifyInstance, access: DashboardAccess, ctx: (request: FastifyRequest) => PageContext): Promise<void> {
  const safeNext = (next: unknown) => (typeof next === 'string' && next.startsWith(`${DASHBOARD_PATH}`) && !next.startsWith('//') ? next : DASHBOARD_PATH);
  const form = (request: FastifyRequest, next: string, error?: string) => page({ ...ctx(request), viewer: null }, '-', 'Sign in', html`
${error ? html`<p class="notice bad" role="alert">${error}</p>` : ''}
<form method="post" action="${DASHBOARD_PATH}/login" class="stack login">
  <input type="hidden" name="next" value="${next}">
  <label for="key">API key (one of Server.ApiKeys)</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
<p class="muted">The key is checked once; the browser then keeps an HttpOnly session cookie for 12 hours.</p>`);

  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (!access.needsLogin) return reply.redirect(DASHBOARD_PATH, 303);
    return sendPage(reply, 200, form(request, safeNext(request.query.next)));
  });

  app.post<{ Body: { key?: string; next?: string } }>('/login', async (request, reply) => {
    if (!access.needsLogin) return reply.redirect(DASHBOARD_PATH, 303);
    const next = safeNext(request.body?.next);
    const session = access.signIn(typeof request.body?.key === 'string' ? request.body.key : '');
    if (!session) return sendPage(reply, 401, form(request, next, 'That is not one of the configured API keys.'));
    setSessionCookie(reply, request, session.id);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    access.sessions.delete(request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply);
    return reply.redirect(access.needsLogin ? `${DASHBOARD_PATH}/login` : DASHBOARD_PATH, 303);
  });
}
