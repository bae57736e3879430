import { createHash } from 'node:crypto';
import type { IdStyle } from '../kit/seed.ts';
import type { Random } from '../kit/random.ts';

/** Square ids are uppercase base32-looking strings; these helpers make deterministic look-alikes. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

/** Same input, same id: generated catalogs and derived item ids stay stable across runs. */
export function hashId(input: string, length: number): string {
  return base32(createHash('sha256').update(input).digest(), length);
}

/** Variation ids like `W62UWFY35CWMYGVWK6TWJDNI`, location ids like `L88917AVBK2S5`. */
export const squareIdStyle: IdStyle = {
  item: (index) => hashId(`square-variation:${index}`, 24),
  location: (index) => `L${hashId(`square-location:${index}`, 12)}`,
};

/** The ITEM that owns a seed variation; derived so a seed file only has to name variations. */
export const itemIdFor = (variationId: string): string => hashId(`square-item:${variationId}`, 24);

/** Fresh ids for changes, events and subscriptions, drawn from the kit's seeded PRNG. */
export function randomId(random: Random, length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * 32)];
  return out;
}

export function randomUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
