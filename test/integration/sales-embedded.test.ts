import { salesScenario } from '../support/sales-scenario.ts';
import { tempDir } from '../support/readme-setup.ts';

salesScenario('embedded PGlite', async () => {
  const dir = tempDir('possync-sales-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, args: ['--data-dir', dir.path], cleanup: async () => dir.remove() };
});
