import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { createRandom, randomInt, pick } from './random.ts';

/**
 * The seed format shared by the three simulators (documented in the README). One entry in
 * `items` is one sellable unit: a Square item variation, a Lightspeed item, a Hiboutik
 * product (size 0). `stock` maps a location id to its on-hand count; a location left out
 * has never counted the item (Square answers no row for it, Lightspeed has no ItemShop).
 */
export interface SeedLocation {
  id: string;
  name: string;
}

export interface SeedItem {
  id: string;
  name: string;
  /** Square: the variation's name (default "Regular"). */
  variationName?: string;
  sku?: string;
  priceCents: number;
  stock: Record<string, number>;
}

export interface SeedFile {
  locations: SeedLocation[];
  items: SeedItem[];
  /** Overrides for what GET /__sim/credentials hands out (token, apiKey, clientSecret, ...). */
  credentials?: Record<string, string>;
}

const seedSchema = {
  type: 'object',
  required: ['locations', 'items'],
  additionalProperties: false,
  properties: {
    locations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: { id: { type: 'string', minLength: 1 }, name: { type: 'string' } },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'priceCents', 'stock'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          variationName: { type: 'string' },
          sku: { type: 'string' },
          priceCents: { type: 'integer', minimum: 0 },
          stock: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
    },
    credentials: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const validateSeedShape = new Ajv({ allErrors: true }).compile(seedSchema);

export class SeedError extends Error {}

/** Checks shape and cross-references; throws one error that lists every problem. */
export function parseSeed(value: unknown, source = 'seed'): SeedFile {
  if (!validateSeedShape(value)) {
    const problems = (validateSeedShape.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new SeedError(`${source} is not a valid seed:\n  ${problems.join('\n  ')}`);
  }
  const seed = value as unknown as SeedFile;
  const problems: string[] = [];
  const locationIds = new Set(seed.locations.map((l) => l.id));
  const itemIds = new Set<string>();
  seed.items.forEach((item, i) => {
    if (itemIds.has(item.id)) problems.push(`/items/${i}/id "${item.id}" is repeated`);
    itemIds.add(item.id);
    for (const location of Object.keys(item.stock)) {
      if (!locationIds.has(location)) problems.push(`/items/${i}/stock names unknown location "${location}"`);
    }
  });
  if (problems.length > 0) throw new SeedError(`${source} is not a valid seed:\n  ${problems.join('\n  ')}`);
  return seed;
}

export async function loadSeedFile(path: string): Promise<SeedFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SeedError(`cannot read seed file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError(`seed file ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseSeed(json, path);
}

/** How a POS spells ids; each simulator passes its own. */
export interface IdStyle {
  item(index: number): string;
  location(index: number): string;
}

export interface GenerateOptions {
  items: number;
  locations?: number;
  ids: IdStyle;
  /** Same number, same catalog. */
  randomSeed?: number;
  /** Share of (item, location) pairs never counted (default 0.02). */
  uncountedShare?: number;
}

const ADJECTIVES = ['Blue', 'Red', 'Organic', 'Vintage', 'Linen', 'Wool', 'Ceramic', 'Oak', 'Copper', 'Green', 'Mini', 'Large'];
const NOUNS = ['Scarf', 'Mug', 'Notebook', 'Candle', 'Tote Bag', 'Teapot', 'Cap', 'Soap', 'Vase', 'Socks', 'Jam', 'Poster'];
const TOWNS = ['Main Street', 'Harbour', 'Station', 'Old Town', 'Market Hall', 'Airport'];

export function generateSeed(options: GenerateOptions): SeedFile {
  const random = createRandom(options.randomSeed ?? 42);
  const locationCount = options.locations ?? 2;
  const uncounted = options.uncountedShare ?? 0.02;
  const locations = Array.from({ length: locationCount }, (_, i) => ({
    id: options.ids.location(i),
    name: TOWNS[i % TOWNS.length] + (i >= TOWNS.length ? ` ${Math.floor(i / TOWNS.length) + 1}` : ''),
  }));
  const items: SeedItem[] = Array.from({ length: options.items }, (_, i) => {
    const stock: Record<string, number> = {};
    for (const location of locations) {
      if (random() >= uncounted) stock[location.id] = randomInt(random, 0, 40);
    }
    const number = String(i + 1).padStart(5, '0');
    return {
      id: options.ids.item(i),
      name: `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${number}`,
      sku: `SKU-${number}`,
      priceCents: randomInt(random, 2, 200) * 50,
      stock,
    };
  });
  return { locations, items };
}
