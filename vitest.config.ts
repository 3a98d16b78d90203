import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  resolve: {
    // Anchored regexes so 'consecution' does not prefix-match the subpath entries.
    alias: [
      { find: /^consecution\/operators$/, replacement: fromRoot('./operators/index.ts') },
      { find: /^consecution\/node$/, replacement: fromRoot('./src/node.ts') },
      { find: /^consecution\/testing$/, replacement: fromRoot('./src/testing/index.ts') },
      { find: /^consecution$/, replacement: fromRoot('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Two files at once, even on two cores: many tests spend their time waiting on child
    // processes, workers and sockets (serial on this 2-core machine: 280 s; two: 140 s).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
