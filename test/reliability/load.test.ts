import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const client = fileURLToPath(new URL('./load/client.mjs', import.meta.url))
const dist = fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url))
const STREAMS = 10_000

test(`holds ${STREAMS} concurrent streams over loopback HTTP with every completion exact and no cross-talk`, () => {
  expect(existsSync(dist), 'build @deltafold/core first (pnpm build)').toBe(true)
  // Own process with --expose-gc for heap figures; the server runs in a third process so neither
  // side needs more than ~10k file descriptors.
  const run = spawnSync(process.execPath, ['--expose-gc', client, String(STREAMS)], { encoding: 'utf8', timeout: 120_000 })
  expect(run.status, run.stderr).toBe(0)
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!)
  console.log(`load: ${JSON.stringify(result)}`)
  expect(result.allInFlight).toBe(true)
  expect(result.inFlightAtOnce).toBe(STREAMS)
  expect(result.exact).toBe(STREAMS)
  expect(result.mismatches).toEqual([])
  // Heap per in-flight stream, HTTP machinery included (socket, parser, IncomingMessage, accumulator).
  expect(result.heapPerStreamBytes).toBeLessThan(64 * 1024)
}, 150_000)
