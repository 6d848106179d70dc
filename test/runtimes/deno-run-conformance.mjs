// Deno runner of the conformance suite, against the TypeScript sources a JSR user gets: it imports
// the packages by their JSR names, which the Deno workspace (the root deno.json) resolves to
// packages/core/src/index.ts and packages/web/src/index.ts. Needs no permission at all. Plain JS, so
// that the Node typecheck of test/ (no Deno globals) leaves it alone.
//
//   deno run --config deno.json test/runtimes/deno-run-conformance.mjs
//
// `--config` because test/package.json (a pnpm package, not a workspace member) would otherwise make
// Deno ignore the workspace and resolve the names through node_modules to the built dist.
//
// Prints one line per failure, a summary line, and a last line `RESULT {json}` for the harness;
// exits 1 when any case failed.
import * as core from '@deltafold/core'
import * as web from '@deltafold/web'
import { runConformance } from './conformance.mjs'
import { fixtures } from './.tmp/fixtures.generated.mjs'

const runtime = `deno ${globalThis.Deno.version.deno} (sources)`
const sources = [import.meta.resolve('@deltafold/core'), import.meta.resolve('@deltafold/web')]
if (!sources.every((url) => url.endsWith('/src/index.ts'))) throw new Error(`Not the sources: ${sources.join(', ')}`)

const result = await runConformance({ core, web, fixtures, log: (line) => console.log(line) })
console.log(`conformance on ${runtime}: passed ${result.passed}, failed ${result.failed}, skipped ${result.skipped}`)
console.log(`RESULT ${JSON.stringify({ runtime, ...result })}`)
globalThis.Deno.exit(result.failed === 0 && result.passed > 0 ? 0 : 1)
