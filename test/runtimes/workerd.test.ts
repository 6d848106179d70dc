// workerd leg of the runtime matrix: Cloudflare's runtime (the binary of the `workerd` npm package)
// serves a worker, bundled by esbuild from workerd/worker.mjs, that runs the conformance suite on the
// built packages per request. The test starts workerd on 127.0.0.1 and a free port, fetches the
// result, and stops it: bounded in time, loopback only.
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, binaryOrSkip, checkResult, type ConformanceResult, run, RUNTIMES_DIR, TMP_DIR } from './harness.js'

const workerd = binaryOrSkip('workerd')
/** A date this workerd build supports; recent enough for Response.json and stream constructors. */
const COMPATIBILITY_DATE = '2025-09-01'
const STARTUP_TIMEOUT_MS = 15_000
let fixtureCount = 0
const stops: (() => void)[] = []

beforeAll(async () => {
  assertBuilt()
  fixtureCount = await generateFixtures()
})
afterAll(() => {
  for (const stop of stops) stop()
})

test.skipIf(!workerd)(
  'workerd: the conformance suite passes on the built packages',
  async () => {
    const dir = join(TMP_DIR, 'workerd')
    await mkdir(dir, { recursive: true })
    const bundle = join(dir, 'worker.bundle.mjs')
    await build({
      entryPoints: [join(RUNTIMES_DIR, 'workerd/worker.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      outfile: bundle,
      logLevel: 'silent',
    })
    const version = (await run(workerd!, ['--version'], { timeoutMs: 10_000 })).stdout.trim()
    const template = await readFile(join(RUNTIMES_DIR, 'workerd/config.capnp.template'), 'utf8')
    let lastError: unknown
    // A free port is found by binding port 0 and releasing it; another process may take it in
    // between, so a failed start is retried on a new port.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort()
      const config = join(dir, 'config.capnp')
      await writeFile(
        config,
        template
          .replace('@PORT@', String(port))
          .replace('@BUNDLE@', 'worker.bundle.mjs')
          .replace('@COMPATIBILITY_DATE@', COMPATIBILITY_DATE),
      )
      const server = startWorkerd(workerd!, config, dir)
      try {
        const result = (await fetchWhenReady(`http://127.0.0.1:${port}/`, server)) as ConformanceResult
        checkResult({ ...result, runtime: `workerd ${version}` }, fixtureCount)
        return
      } catch (error) {
        lastError = error
        if (!server.exited()) throw error
      } finally {
        server.stop()
      }
    }
    throw lastError
  },
  60_000,
)

function startWorkerd(binary: string, config: string, cwd: string) {
  const child = spawn(binary, ['serve', config], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let exited = false
  child.stdout.on('data', (data: Buffer) => (output += data.toString()))
  child.stderr.on('data', (data: Buffer) => (output += data.toString()))
  child.on('exit', () => (exited = true))
  const stop = () => {
    if (!exited) child.kill('SIGKILL')
  }
  stops.push(stop)
  return { stop, exited: () => exited, output: () => output }
}

async function fetchWhenReady(url: string, server: { exited(): boolean; output(): string }): Promise<unknown> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  for (;;) {
    if (server.exited()) throw new Error(`workerd exited before serving:\n${server.output()}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) })
      const text = await response.text()
      if (!response.ok) throw new Error(`workerd answered ${response.status}: ${text}\n${server.output()}`)
      return JSON.parse(text)
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED'
      if (!refused || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
