import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests bind real ports and start real servers: keep the 2-core machine unsaturated.
    maxWorkers: 2,
    globalSetup: ['tests/helpers/build-dist.ts', 'tests/helpers/global-setup.ts'],
  },
});
