// Deno leg of the runtime matrix, on the TypeScript sources a JSR user gets: the root deno.json is a
// Deno workspace (packages/core, packages/web, packages/deno), so `@deltafold/core` and
// `@deltafold/web` resolve to the members' `src/index.ts`, never to `dist/`. `deno` (the binary of the
// `deno` npm package) type-checks and tests @deltafold/deno (its tasks in packages/deno/deno.json:
// `deno check`, then `deno test` with the gateway on a real globalThis.Deno.serve and the JSDoc examples), runs
// the conformance suite from the sources with no permissions at all, and dry-runs `deno publish`.
import { join } from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, binaryOrSkip, checkResult, parseResult, QUIET_ENV, ROOT, RUNTIMES_DIR, run } from './harness.js'

const deno = binaryOrSkip('deno')
const denoPackage = join(ROOT, 'packages/deno')
let fixtureCount = 0
beforeAll(async () => {
  assertBuilt() // generateFixtures computes the expected completions with Node on the built dist
  fixtureCount = await generateFixtures()
})

test.skipIf(!deno)(
  'deno: `deno task check` type-checks mod.ts, the gateway example and the tests',
  async () => {
    const ran = await run(deno!, ['task', 'check'], { cwd: denoPackage, env: QUIET_ENV, timeoutMs: 240_000 })
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0)
  },
  120_000,
)

test.skipIf(!deno)(
  'deno: `deno task test` passes (JSR names, gateway on globalThis.Deno.serve, adapters, doc examples)',
  async () => {
    const ran = await run(deno!, ['task', 'test'], { cwd: denoPackage, env: QUIET_ENV, timeoutMs: 240_000 })
    const output = `${ran.stdout}\n${ran.stderr}`
    expect(ran.code, output).toBe(0)
    expect(output).toMatch(/ok \| \d+ passed \| 0 failed/)
    expect(output).toContain('jsr names: @deltafold/core, @deltafold/web and @deltafold/deno resolve to the TypeScript sources')
  },
  120_000,
)

test.skipIf(!deno)(
  'deno: the conformance suite passes on the source packages, imported by their JSR names',
  async () => {
    const ran = await run(deno!, ['run', '--config', join(ROOT, 'deno.json'), join(RUNTIMES_DIR, 'deno-run-conformance.mjs')], {
      cwd: ROOT,
      env: QUIET_ENV,
      timeoutMs: 240_000,
    })
    const output = `${ran.stdout}\n${ran.stderr}`
    if (ran.timedOut) throw new Error(`deno timed out:\n${output.slice(-2000)}`)
    const result = parseResult(ran.stdout)
    expect(result.runtime).toMatch(/^deno \d+\.\d+\.\d+ \(sources\)$/)
    checkResult(result, fixtureCount)
    expect(ran.code, output).toBe(0)
  },
  120_000,
)

test.skipIf(!deno)(
  'deno: `deno publish --dry-run` accepts the workspace offline (source exports, no slow types)',
  async () => {
    const ran = await run(deno!, ['publish', '--dry-run', '--allow-dirty'], { cwd: ROOT, env: QUIET_ENV, timeoutMs: 240_000 })
    const output = `${ran.stdout}\n${ran.stderr}`
    expect(ran.code, output).toBe(0)
    for (const name of ['@deltafold/core', '@deltafold/web', '@deltafold/deno']) expect(output).toContain(`Simulating publish of ${name}@`)
    expect(output).not.toContain('/dist/')
  },
  120_000,
)
