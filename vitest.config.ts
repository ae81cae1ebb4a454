import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/client/**', 'node_modules/**', 'dist/**'],
          environment: 'node',
        },
      },
      'test/client/vitest.config.ts',
      'test/e2e/vitest.config.ts',
    ],
  },
});
