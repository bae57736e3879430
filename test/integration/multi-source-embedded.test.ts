import { multiSourceScenario } from './multi-source.scenario.ts';
import { tempDir } from './harness.ts';

multiSourceScenario('embedded PGlite', async () => {
  const dir = tempDir('possync-multi-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, cleanup: async () => dir.remove() };
});
