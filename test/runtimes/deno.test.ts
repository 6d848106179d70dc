// Deno leg of the runtime matrix: `deno` (the binary of the `deno` npm package) type-checks and tests
// @deltafold/deno (its tasks in packages/deno/deno.json: `deno check`, then `deno test` with the
// gateway on a real Deno.serve and the JSDoc examples), and runs the conformance suite with the
// package's import map and no permissions at all.
import { join } from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, binaryOrSkip, checkResult, QUIET_ENV, ROOT, run, runConformanceRunner } from './harness.js'

const deno = binaryOrSkip('deno')
const denoPackage = join(ROOT, 'packages/deno')
let fixtureCount = 0
beforeAll(async () => {
  assertBuilt()
  fixtureCount = await generateFixtures()
})

test.skipIf(!deno)('deno: `deno task check` type-checks mod.ts and the gateway example', async () => {
  const ran = await run(deno!, ['task', 'check'], { cwd: denoPackage, env: QUIET_ENV, timeoutMs: 45_000 })
  expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0)
}, 60_000)

test.skipIf(!deno)('deno: `deno task test` passes (gateway on Deno.serve, adapters, doc examples)', async () => {
  const ran = await run(deno!, ['task', 'test'], { cwd: denoPackage, env: QUIET_ENV, timeoutMs: 45_000 })
  const output = `${ran.stdout}\n${ran.stderr}`
  expect(ran.code, output).toBe(0)
  expect(output).toMatch(/ok \| \d+ passed \| 0 failed/)
}, 60_000)

test.skipIf(!deno)('deno: the conformance suite passes on the built packages', async () => {
  const version = (await run(deno!, ['--version'], { env: QUIET_ENV, timeoutMs: 10_000 })).stdout.split('\n')[0]!.trim()
  const result = await runConformanceRunner(deno!, ['run', '--config', join(denoPackage, 'deno.json')])
  checkResult({ ...result, runtime: version }, fixtureCount)
}, 60_000)
