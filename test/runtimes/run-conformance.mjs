// Command-line runner of the conformance suite for runtimes with a module loader over files: Node
// and Bun. Imports the built packages by relative path, as a user of the dist would; the web dist
// imports `@deltafold/core` by name, resolved through node_modules. (Deno runs the suite on the
// TypeScript sources instead: deno-run-conformance.mjs.)
//
//   node test/runtimes/run-conformance.mjs
//   bun test/runtimes/run-conformance.mjs
//
// Prints one line per failure, a summary line, and a last line
// `RESULT {json}` for the harness; exits 1 when any case failed.
import * as core from '../../packages/core/dist/index.js'
import * as web from '../../packages/web/dist/index.js'
import { runConformance } from './conformance.mjs'
import { fixtures } from './.tmp/fixtures.generated.mjs'

const runtime =
  typeof globalThis.Deno !== 'undefined'
    ? `deno ${globalThis.Deno.version.deno}`
    : typeof globalThis.Bun !== 'undefined'
      ? `bun ${globalThis.Bun.version}`
      : `node ${globalThis.process?.version}`

const result = await runConformance({ core, web, fixtures, log: (line) => console.log(line) })
console.log(`conformance on ${runtime}: passed ${result.passed}, failed ${result.failed}, skipped ${result.skipped}`)
console.log(`RESULT ${JSON.stringify({ runtime, ...result })}`)
const code = result.failed === 0 && result.passed > 0 ? 0 : 1
if (typeof globalThis.Deno !== 'undefined') globalThis.Deno.exit(code)
else globalThis.process.exitCode = code
