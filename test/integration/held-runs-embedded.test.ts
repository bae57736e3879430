import { heldRunsScenario } from '../support/held-runs-scenario.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

// The zero-setup default: PGlite in a data folder, the shop table inside it.
heldRunsScenario('embedded PGlite with the embedded shop table', async () => {
  const dir = await migratedPgliteDir('possync-held-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, cleanup: async () => dir.remove() };
});
