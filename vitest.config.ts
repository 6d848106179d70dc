import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

// Unit tests run against the sources; the runtime matrix (test/runtimes) imports the built dist.
const alias = {
  '@deltafold/core': src('core'),
  '@deltafold/web': src('web'),
  '@deltafold/node': src('node'),
}

// A hang guard, not a speed goal (timing goals live in bench/): subprocess, HTTP and property tests
// take several seconds on a loaded 2-core machine, past vitest's 5 s default.
const testTimeout = 30_000

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'core', root: 'packages/core', include: ['test/**/*.test.ts'], testTimeout } },
      { resolve: { alias }, test: { name: 'web', root: 'packages/web', include: ['test/**/*.test.ts'], testTimeout } },
      { resolve: { alias }, test: { name: 'node', root: 'packages/node', include: ['test/**/*.test.ts'], testTimeout } },
      { resolve: { alias }, test: { name: 'cli', root: 'packages/cli', include: ['test/**/*.test.ts'], testTimeout } },
      {
        resolve: { alias },
        test: {
          name: 'suite',
          testTimeout,
          root: 'test',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          // Type tests (`*.test-d.ts`) run under the compiler: a type error fails their test.
          typecheck: {
            enabled: true,
            include: ['types/**/*.test-d.ts'],
            tsconfig: fileURLToPath(new URL('./test/types/tsconfig.json', import.meta.url)),
          },
        },
      },
      { resolve: { alias }, test: { name: 'bench', root: 'bench', include: ['test/**/*.test.ts'], testTimeout } },
    ],
  },
})
