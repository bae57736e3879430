import { salesScenario } from './sales.scenario.ts';
import { tempDir } from './harness.ts';

salesScenario('embedded PGlite', async () => {
  const dir = tempDir('possync-sales-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, args: ['--data-dir', dir.path], cleanup: async () => dir.remove() };
});
