import { chmod } from 'node:fs/promises'
import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // The library entry: `main(argv, io)` for running the CLI in-process.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // Both configs build at once: cleaning must not delete the cli.js the other one writes.
    clean: ['!cli.js'],
    target: 'es2022',
    sourcemap: false,
  },
  {
    // The `deltafold` bin: ESM only, with the shebang npm needs to run it.
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    target: 'es2022',
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
    async onSuccess() {
      await chmod('dist/cli.js', 0o755)
    },
  },
])
