/**
 * Typed reads from the config tree that never stop at the first problem: each read records what
 * is wrong under the key's path (in the original's spelling) and returns undefined, so one pass
 * collects everything. Values are never quoted for keys marked secret.
 */
import type { ConfigNode, ObjectNode } from './tree.ts';

export class Issues {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  problem(path: string, message: string): void {
    this.problems.push(path ? `${path} ${message}` : message);
  }
  warning(path: string, message: string): void {
    this.warnings.push(path ? `${path} ${message}` : message);
  }
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** How a value is shown in a message: quoted, cut short, or not at all when secret. */
function show(value: unknown, secret: boolean): string {
  if (secret) return '';
  const text = String(value);
  return ` (got "${text.length > 60 ? `${text.slice(0, 57)}...` : text}")`;
}

export interface ReadOptions {
  secret?: boolean;
}

export interface IntOptions extends ReadOptions {
  min?: number;
  max?: number;
}

/** One object of the tree, read key by key; keys never read are reported by `finish`. */
export class Section {
  private readonly used = new Set<string>();

  constructor(
    readonly node: ObjectNode | undefined,
    readonly path: string,
    readonly issues: Issues,
  ) {}

  /** A section that must be an object when present. */
  static of(node: ConfigNode | undefined, path: string, issues: Issues): Section {
    if (node === undefined || (node.kind === 'value' && (node.value === null || node.value === ''))) {
      return new Section(undefined, path, issues);
    }
    if (node.kind !== 'object') {
      issues.problem(path, 'must be a section ({ ... })');
      return new Section(undefined, path, issues);
    }
    return new Section(node, path, issues);
  }

  keyPath(key: string): string {
    return joinPath(this.path, key);
  }

  /** The raw node, marking the key as known. */
  raw(key: string): ConfigNode | undefined {
    this.used.add(key.toLowerCase());
    return this.node?.entries.get(key.toLowerCase())?.node;
  }

  /** Marks keys as known without reading them (accepted and ignored). */
  accept(...keys: string[]): void {
    for (const key of keys) this.used.add(key.toLowerCase());
  }

  has(key: string): boolean {
    const node = this.node?.entries.get(key.toLowerCase())?.node;
    return node !== undefined && !(node.kind === 'value' && (node.value === null || node.value === ''));
  }

  /** Text (numbers are turned into text, as .NET would); empty or null counts as absent. */
  string(key: string, options: ReadOptions = {}): string | undefined {
    const node = this.raw(key);
    if (node === undefined) return undefined;
    if (node.kind !== 'value') {
      this.issues.problem(this.keyPath(key), 'must be a single value, not a section or a list');
      return undefined;
    }
    if (node.value === null) return undefined;
    if (typeof node.value === 'boolean') {
      this.issues.problem(this.keyPath(key), `must be text${show(node.value, !!options.secret)}`);
      return undefined;
    }
    const text = String(node.value).trim();
    return text === '' ? undefined : text;
  }

  /** A whole number, given as a number or as digits in a string. */
  int(key: string, options: IntOptions = {}): number | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'value' && (node.value === null || node.value === ''))) return undefined;
    const value = node.kind === 'value' ? node.value : undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    const { min, max } = options;
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : '';
    if (!Number.isSafeInteger(number) || (min !== undefined && number < min) || (max !== undefined && number > max)) {
      this.issues.problem(this.keyPath(key), `must be a whole number${range}${node.kind === 'value' ? show(value, !!options.secret) : ''}`);
      return undefined;
    }
    return number;
  }

  /**
   * A share from 0 to 1: a number (0.2) or a percentage in text ("20%"), so an env var reads as
   * naturally as the file.
   */
  share(key: string): number | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'value' && (node.value === null || node.value === ''))) return undefined;
    const value = node.kind === 'value' ? node.value : undefined;
    let number = Number.NaN;
    if (typeof value === 'number') number = value;
    else if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(value)) number = Number(value.trim().slice(0, -1).trim()) / 100;
    else if (typeof value === 'string' && /^\s*\d*\.?\d+\s*$/.test(value)) number = Number(value);
    if (!Number.isFinite(number) || number < 0 || number > 1) {
      this.issues.problem(this.keyPath(key), `must be a share from 0 to 1 (0.2) or a percentage ("20%")${node.kind === 'value' ? show(value, false) : ''}`);
      return undefined;
    }
    return number;
  }

  bool(key: string): boolean | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'value' && (node.value === null || node.value === ''))) return undefined;
    const value = node.kind === 'value' ? node.value : undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) return value.trim().toLowerCase() === 'true';
    this.issues.problem(this.keyPath(key), `must be true or false${node.kind === 'value' ? show(value, false) : ''}`);
    return undefined;
  }

  /** A list of texts; a single text is also accepted and split on commas (handy in env vars). */
  stringList(key: string, options: ReadOptions = {}): string[] | undefined {
    const node = this.raw(key);
    if (node === undefined) return undefined;
    const path = this.keyPath(key);
    if (node.kind === 'value') {
      if (node.value === null) return undefined;
      if (typeof node.value !== 'string') {
        this.issues.problem(path, `must be a list of texts${show(node.value, !!options.secret)}`);
        return undefined;
      }
      return node.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
    const items = listItems(node);
    if (!items) {
      this.issues.problem(path, 'must be a list ([ ... ])');
      return undefined;
    }
    const out: string[] = [];
    items.forEach((item, index) => {
      if (item === undefined || item.kind !== 'value' || item.value === null || typeof item.value === 'boolean') {
        this.issues.problem(joinPath(path, index), 'must be text');
      } else if (String(item.value).trim() !== '') {
        out.push(String(item.value).trim());
      }
    });
    return out;
  }

  /** A list of sections, each with its own path. */
  sections(key: string): Section[] {
    const node = this.raw(key);
    const path = this.keyPath(key);
    if (node === undefined || (node.kind === 'value' && (node.value === null || node.value === ''))) return [];
    const items = listItems(node);
    if (!items) {
      this.issues.problem(path, 'must be a list ([ ... ])');
      return [];
    }
    return items.map((item, index) => Section.of(item, joinPath(path, index), this.issues));
  }

  /**
   * Warns about every key never read (a typo, most often), suggesting the closest known key.
   * `elsewhere` maps keys known in other contexts to why they are ignored here.
   */
  finish(known: readonly string[], elsewhere: Record<string, string> = {}): void {
    if (!this.node) return;
    const elsewhereLower = new Map(Object.entries(elsewhere).map(([k, why]) => [k.toLowerCase(), [k, why] as const]));
    for (const [lower, { name }] of this.node.entries) {
      if (this.used.has(lower)) continue;
      const other = elsewhereLower.get(lower);
      if (other) {
        this.issues.warning(this.keyPath(other[0]), `${other[1]} (ignored)`);
        continue;
      }
      const guess = closest(name, known);
      this.issues.warning(this.keyPath(name), `is not a known key (ignored)${guess ? `; did you mean ${guess}?` : ''}`);
    }
  }
}

/** Arrays, and .NET-style objects whose keys are all indexes ("0", "1", ...). */
function listItems(node: ConfigNode): Array<ConfigNode | undefined> | undefined {
  if (node.kind === 'array') return node.items;
  if (node.kind === 'object' && [...node.entries.keys()].every((k) => /^\d+$/.test(k))) {
    return [...node.entries.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v.node);
  }
  return undefined;
}

function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
