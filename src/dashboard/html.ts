/**
 * Server-rendered HTML as tagged templates: every interpolated value is escaped unless it is
 * already `Html` (built by `html` itself or marked with `raw`), so a POS name, an error text or a
 * search term can never inject markup. Text also passes through the same `redact` as the API's
 * answers and the log, so a credential in a driver's or a POS's error never reaches a page (rule 9).
 */
import { redact } from '../redact.ts';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Html | text | number | list of those | nothing (null, undefined, false render as ''). */
export type Renderable = Html | string | number | bigint | boolean | null | undefined | readonly Renderable[];

function render(value: Renderable): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(typeof value === 'string' ? redact(value) : String(value));
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Trusted markup only (our own constants). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** JSON inside a <script type="application/json">: `<` escaped so the data cannot close the tag. */
export function jsonScript(id: string, data: unknown): Html {
  return raw(`<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`);
}
