import { multiSourceScenario } from '../support/multi-source-scenario.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

multiSourceScenario('embedded PGlite', async () => {
  const dir = await migratedPgliteDir('possync-multi-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, cleanup: async () => dir.remove() };
});
