import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // src/templates/*.tmpl are imported as strings: esbuild's text loader
      // in the build (scripts/build/bundle.mjs), this plugin in tests.
      name: 'slurmhop-tmpl-as-text',
      enforce: 'pre',
      load(id) {
        const file = id.split('?')[0]!;
        if (!file.endsWith('.tmpl')) return null;
        return `export default ${JSON.stringify(readFileSync(file, 'utf8'))};`;
      },
    },
  ],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/build/**', 'test/update/**/*.cluster.test.ts', '**/node_modules/**'],
        },
      },
      {
        // Checks the artifacts of `npm run build` (dist/).
        extends: true,
        test: {
          name: 'build',
          include: ['test/build/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // A real local cluster: long timeouts, one file at a time, after the
        // other projects. (vitest 3 reads fileParallelism only globally; a
        // single fork per project is its per-project equivalent.)
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1, concurrent: false },
        },
      },
      {
        // The updater through `remote proxy` on the real local cluster, as the
        // test user gus; after the e2e project, which uses gus too.
        extends: true,
        test: {
          name: 'update-cluster',
          include: ['test/update/**/*.cluster.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2, concurrent: false },
        },
      },
    ],
  },
});
