/**
 * Field readers shared by the POS modules' config readers (src/pos/<name>/config.ts): each POS
 * reads its own keys, with the same rules for URLs, ids and required keys.
 */
import type { Section } from './reader.ts';

/** Ids that go into POS URLs and API paths: letters, digits, dash, underscore. */
export const POS_ID = /^[A-Za-z0-9_-]+$/;

export function readUrl(entry: Section, key: string, fallback: string, accountName?: string): string | undefined {
  const template = entry.string(key) ?? fallback;
  const text = accountName !== undefined ? template.replace(/\{AccountName\}/gi, accountName) : template;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    entry.issues.problem(entry.keyPath(key), `must be an http:// or https:// URL (got "${text.slice(0, 80)}")`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    entry.issues.problem(entry.keyPath(key), `must be an http:// or https:// URL (got "${text.slice(0, 80)}")`);
    return undefined;
  }
  if (url.username || url.password) {
    entry.issues.problem(entry.keyPath(key), 'must not carry credentials; use the account keys');
    return undefined;
  }
  return text.replace(/\/+$/, '');
}

export function required(entry: Section, key: string, label: string, value: unknown): void {
  if (value === undefined && !entry.has(key)) entry.issues.problem(entry.keyPath(key), `is required for a ${label} account`);
}

/** Positive ids: number or digits, kept as text (the adapters send them in URLs and bodies). */
export function positiveId(entry: Section, key: string): string | undefined {
  const n = entry.int(key, { min: 1 });
  return n === undefined ? undefined : String(n);
}

/** The original's int customer ids: 0 (its default) means "no customer". */
export function optionalCustomer(entry: Section, key: string): string | undefined {
  const n = entry.int(key, { min: 0 });
  return n === undefined || n === 0 ? undefined : String(n);
}
