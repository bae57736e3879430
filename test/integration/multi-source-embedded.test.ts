import { multiSourceScenario } from '../support/multi-source-scenario.ts';
import { tempDir } from '../support/readme-setup.ts';

multiSourceScenario('embedded PGlite', async () => {
  const dir = tempDir('possync-multi-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, cleanup: async () => dir.remove() };
});
