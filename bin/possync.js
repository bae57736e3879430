#!/usr/bin/env -S node --max-old-space-size=512
// The heap cap also makes V8 size its heap as on a small machine (it grows in smaller steps and
// collects sooner): possync serve's peak memory with 100,000 items drops by ~50 MB (bench:scale).
// `node bin/possync.js` bypasses this line; pass the flag yourself there.
// Runs the TypeScript sources directly through tsx, so a checkout works right after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
