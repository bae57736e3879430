import { syncScenario } from '../support/sync-scenario.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

// The zero-setup default: PGlite in a data folder, the shop table inside it.
syncScenario('embedded PGlite with the embedded shop table', async () => {
  const dir = await migratedPgliteDir('possync-it-');
  return {
    env: { POSSYNC__Core__DataFolder: dir.path },
    cleanup: async () => dir.remove(),
  };
}, { cronCycle: true });
