/**
 * Who may see and use the dashboard, on top of the API's own key check (src/api/auth.ts):
 * - no API keys configured: only requests from loopback addresses (as Hangfire's default);
 * - API keys configured: a browser signs in once with a key and gets an HttpOnly, SameSite=Strict
 *   session cookie;
 * - every state-changing request must come from the dashboard's own pages: same origin (Origin,
 *   Referer and Sec-Fetch-Site agree) and a per-session CSRF token in the form.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyCheck } from '../api/auth.ts';

export const SESSION_COOKIE = 'possync_dashboard';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x; the socket's address, never a forwarded header. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

export interface Viewer {
  /** For the action journal: "loopback" or "session <first 8 chars>"; never a key. */
  actor: string;
  /** The token every form of this viewer carries. */
  csrf: string;
}

interface Session {
  csrf: string;
  expiresAt: number;
}

/** Sessions live in memory: a restart signs everyone out, which costs one login. */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  create(): { id: string; session: Session } {
    if (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const session = { csrf: randomBytes(24).toString('base64url'), expiresAt: Date.now() + SESSION_TTL_MS };
    this.byId.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const session = this.byId.get(id);
    if (!session) return null;
    if (session.expiresAt < Date.now()) {
      this.byId.delete(id);
      return null;
    }
    session.expiresAt = Date.now() + SESSION_TTL_MS;
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }
}

export type AccessDecision =
  | { ok: true; viewer: Viewer | null }
  | { ok: false; status: 403 | 401; reason: string; login?: boolean };

export class DashboardAccess {
  readonly sessions = new Sessions();
  /** The loopback viewer's CSRF token: per process, unreadable by another site's page. */
  private readonly loopbackCsrf = createHmac('sha256', randomBytes(32)).update('loopback').digest('base64url');

  constructor(private readonly keys: KeyCheck) {}

  get needsLogin(): boolean {
    return this.keys.enabled;
  }

  /** Decides before anything is read. `open` paths (login page, assets) need no session. */
  decide(request: FastifyRequest, open: boolean): AccessDecision {
    if (!this.keys.enabled) {
      if (!isLoopbackAddress(request.socket.remoteAddress)) {
        return { ok: false, status: 403, reason: 'Without API keys the dashboard answers only requests from this machine (loopback addresses). Configure Server.ApiKeys to sign in from elsewhere.' };
      }
      return { ok: true, viewer: { actor: 'loopback', csrf: this.loopbackCsrf } };
    }
    const id = request.cookies[SESSION_COOKIE];
    const session = this.sessions.get(id);
    if (session) return { ok: true, viewer: { actor: `session ${id!.slice(0, 8)}`, csrf: session.csrf } };
    if (open) return { ok: true, viewer: null };
    return { ok: false, status: 401, reason: 'Sign in with an API key first.', login: true };
  }

  /** A key from the login form: a new session, or null. */
  signIn(key: string): { id: string } | null {
    if (!this.keys.matches(key)) return null;
    return { id: this.sessions.create().id };
  }
}

/**
 * The request came from a page of this host (not another site's form or script). Hosts are
 * compared, not schemes, so a proxy that ends TLS in front of possync does not break actions.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const host = request.headers.host ?? '';
  const from = request.headers.origin ?? request.headers.referer;
  if (from === undefined) return true;
  try {
    return from !== 'null' && new URL(from).host === host;
  } catch {
    return false;
  }
}

export function csrfMatches(viewer: Viewer | null, given: unknown): boolean {
  if (!viewer || typeof given !== 'string') return false;
  const a = Buffer.from(viewer.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
