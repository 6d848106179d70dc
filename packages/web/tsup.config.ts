import { defineConfig } from 'tsup'

export default defineConfig({
  // One output module per public module (index.js only re-exports them, shared code goes to chunks):
  // with `"sideEffects": false`, an application's bundler then drops every class it does not import.
  // A single bundled index.js kept them all: `class … extends TransformStream` at module level may
  // throw, so bundlers never tree-shake it (measured with esbuild: any one class pulled in all five).
  entry: ['src/*.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'es2022',
  sourcemap: false,
})
