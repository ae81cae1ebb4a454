import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from '../../vite.config.ts';

// The UI tests need the Vue and Bitrix24 UI plugins of vite.config.ts (SFCs, `#imports`, theme
// templates), which the server's vitest config does not load. Run alone with
// `npx vitest run --config test/client/vitest.config.ts`, or list this file under `test.projects`.
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export default mergeConfig(
  viteConfig,
  defineConfig({
    root: projectRoot,
    test: {
      name: 'client',
      root: projectRoot,
      include: ['test/client/**/*.test.ts'],
      environment: 'node',
      // A page's first mount compiles its components on demand: seconds on a busy runner, not a hang.
      testTimeout: 20_000,
      restoreMocks: true,
      server: {
        deps: {
          // The kit ships .vue files and `#imports`/`#build` specifiers that only Vite resolves.
          inline: ['@bitrix24/b24ui-nuxt'],
        },
      },
    },
  }),
);
