// Bun leg of the runtime matrix: `bun` (the binary of the `bun` npm package) runs the conformance
// suite on the built packages; the web dist finds `@deltafold/core` through node_modules.
import { beforeAll, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, binaryOrSkip, checkResult, run, runConformanceRunner } from './harness.js'

const bun = binaryOrSkip('bun')
let fixtureCount = 0
beforeAll(async () => {
  assertBuilt()
  fixtureCount = await generateFixtures()
})

test.skipIf(!bun)(
  'bun: the conformance suite passes on the built packages',
  async () => {
    const version = (await run(bun!, ['--version'], { timeoutMs: 10_000 })).stdout.trim()
    const result = await runConformanceRunner(bun!, [])
    checkResult({ ...result, runtime: `bun ${version}` }, fixtureCount)
  },
  60_000,
)
