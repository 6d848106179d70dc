// Node leg of the runtime matrix. The suite runs in a child `node` (this very binary) rather than
// in the vitest worker: vitest would resolve the web dist's `import '@deltafold/core'` through the
// root config's alias to core's *sources*, and this leg must run the dist as a user does.
import { beforeAll, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, checkResult, runConformanceRunner } from './harness.js'

let fixtureCount = 0
beforeAll(async () => {
  assertBuilt()
  fixtureCount = await generateFixtures()
})

test(`node ${process.version}: the conformance suite passes on the built packages`, async () => {
  checkResult(await runConformanceRunner(process.execPath, []), fixtureCount)
})
