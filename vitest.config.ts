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
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
