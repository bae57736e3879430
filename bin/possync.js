#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=4
// The heap cap also makes V8 size its heap as on a small machine (it grows in smaller steps and
// collects sooner): possync serve's peak memory with 100,000 items drops by ~50 MB (bench:scale).
// The young generation is capped at 4 MB per semi-space (V8's default grows it to 16 MB, 32 MB
// resident that stays): ~35 MB less at idle and through a full poll with 100,000 items (peak RSS
// 250-264 MB → 214-224 MB in a probe, issue 10), for ~15 % of sale intake's throughput.
// `node bin/possync.js` bypasses this line; pass the flags yourself there.
// Runs the TypeScript sources directly through tsx, so a checkout works right after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
