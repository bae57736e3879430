import { salesScenario } from '../support/sales-scenario.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

salesScenario('embedded PGlite', async () => {
  const dir = await migratedPgliteDir('possync-sales-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, args: ['--data-dir', dir.path], cleanup: async () => dir.remove() };
});
