/** The page shell (navigation, skip link, live-region for messages) and small formatters every page uses. */
import { html, raw, type Html, type Renderable } from './html.ts';
import type { Viewer } from './access.ts';

export interface PageContext {
  /** Where the dashboard is mounted ("/hangfire"). */
  base: string;
  viewer: Viewer | null;
  readOnly: boolean;
  /** A message from the action just done (short code resolved by the page). */
  notice?: string | null;
}

const NAV: Array<[path: string, label: string]> = [
  ['', 'Overview'],
  ['/jobs', 'Jobs'],
  ['/recurring', 'Recurring'],
  ['/servers', 'Servers'],
  ['/accounts', 'Accounts'],
  ['/items', 'Items'],
  ['/sales', 'Sales'],
  ['/runs', 'Runs'],
  ['/held', 'Held runs'],
];

export function page(ctx: PageContext, current: string, title: string, body: Renderable): Html {
  const { base } = ctx;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · possync dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/assets/dashboard.css">
<link rel="stylesheet" href="${base}/assets/uPlot.min.css">
<script src="${base}/assets/htmx.min.js" defer></script>
<script src="${base}/assets/uPlot.iife.min.js" defer></script>
<script src="${base}/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="${base}">possync</a>
  <nav aria-label="Dashboard">
    <ul>${NAV.map(([path, label]) => html`<li><a href="${base}${path}"${current === path ? raw(' aria-current="page"') : ''}>${label}</a></li>`)}</ul>
  </nav>
  ${ctx.readOnly ? html`<span class="badge">read-only</span>` : ''}
  ${ctx.viewer?.actor.startsWith('session') ? html`<form method="post" action="${base}/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">Sign out</button></form>` : ''}
</header>
<main id="main">
<h1>${title}</h1>
${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export function csrfField(ctx: PageContext): Html {
  return ctx.viewer ? html`<input type="hidden" name="_csrf" value="${ctx.viewer.csrf}">` : html``;
}

/** A POST button in its own small form (works without JavaScript); hidden in read-only mode. */
export function actionButton(ctx: PageContext, action: string, label: string, options: { confirm?: string; fields?: Record<string, string>; danger?: boolean } = {}): Html {
  if (ctx.readOnly) return html``;
  const fields = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${action}" class="inline"${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>${csrfField(ctx)}${fields}<button type="submit"${options.danger ? raw(' class="danger"') : ''}>${label}</button></form>`;
}

export function table(caption: string, head: readonly string[], rows: readonly Renderable[][], empty = 'Nothing here yet.'): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${caption}"><table>
<caption>${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

/** "Older →" link for keyset paging; absent when the page was not full. */
export function nextPageLink(href: string | null): Html {
  return href ? html`<p class="paging"><a href="${href}" rel="next">Older →</a></p>` : html``;
}

export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** An absolute time in UTC plus how long ago or ahead, in a <time> element. */
export function when(value: Date | string | null | undefined, now = Date.now()): Html {
  if (value === null || value === undefined) return html`<span class="muted">never</span>`;
  const date = typeof value === 'string' ? new Date(value) : value;
  return html`<time datetime="${date.toISOString()}" title="${date.toISOString()}">${formatUtc(date)} <span class="muted">(${relative(date.getTime() - now)})</span></time>`;
}

export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function relative(deltaMs: number): string {
  const future = deltaMs > 0;
  const s = Math.round(Math.abs(deltaMs) / 1000);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 86_400 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86_400).toFixed(1)} days`;
  return future ? `in ${text}` : `${text} ago`;
}

export function duration(from: Date | string, to: Date | string | null): string {
  if (to === null) return 'running';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A state word with a colour class; the word itself carries the meaning (not colour alone). */
export function stateTag(state: string): Html {
  const tone = /^(ok|completed|succeeded|posted|running-ok|valid)$/.test(state)
    ? 'good'
    : /^(failed|incomplete|cancelled|expired|possibly gone)$/.test(state)
      ? 'bad'
      : /^(retry|dispatching|active|processing|stale|scheduled|running|held|paused)$/.test(state)
        ? 'warn'
        : 'neutral';
  return html`<span class="tag ${tone}">${state}</span>`;
}

export function quantity(value: number | null | undefined): Html {
  return value === null || value === undefined ? html`<span class="muted">unknown</span>` : html`${value}`;
}
