// Chromium leg of the runtime matrix: Debian's Chromium (/usr/bin/chromium, never a downloaded
// build), driven headless by playwright-core, loads browser/index.html from a tiny static server on
// 127.0.0.1 and runs the conformance suite on the built packages as native ES modules.
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, test } from 'vitest'
import { generateFixtures } from './generate-fixtures.mjs'
import { assertBuilt, binaryOrSkip, checkResult, type ConformanceResult, ROOT } from './harness.js'

const executablePath = binaryOrSkip('chromium')
/** Only these directories are served, and only these file types. */
const SERVED = ['packages/core/dist/', 'packages/web/dist/', 'test/runtimes/']
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html; charset=utf-8' }
const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

let fixtureCount = 0
let server: Server | undefined
let browser: Browser | undefined

beforeAll(async () => {
  assertBuilt()
  fixtureCount = await generateFixtures()
})
afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
})

test.skipIf(!executablePath)(
  'chromium: the conformance suite passes on the built packages',
  async () => {
    const base = await serveStatic()
    browser = await chromium.launch({ executablePath: executablePath!, args: ARGS, headless: true, timeout: 20_000 })
    const page = await browser.newPage()
    const pageErrors: string[] = []
    // A module that fails to load (a 404, a syntax error) leaves the page silent: fail at once instead
    // of waiting for the result until the timeout.
    let failFast!: (error: Error) => void
    const broken = new Promise<never>((_, reject) => (failFast = reject))
    broken.catch(() => {})
    const report = (line: string) => {
      pageErrors.push(line)
      failFast(new Error(`The page failed:\n${pageErrors.join('\n')}`))
    }
    page.on('pageerror', (error) => report(`pageerror: ${String(error)}`))
    page.on('response', (response) => {
      if (response.status() >= 400) report(`HTTP ${response.status()} for ${response.url()}`)
    })
    page.on('console', (message) => {
      // The suite logs failing cases as console errors; they are in the result too.
      if (message.type() === 'error') pageErrors.push(message.text())
    })
    await page.goto(`${base}/test/runtimes/browser/index.html`)
    const handle = await Promise.race([
      page.waitForFunction(() => (window as unknown as { __conformance?: unknown }).__conformance, undefined, { timeout: 30_000 }),
      broken,
    ]).catch((error: unknown) => {
      throw new Error(`The page never reported a result: ${String(error)}\n${pageErrors.join('\n')}`)
    })
    const result = (await handle.jsonValue()) as ConformanceResult
    checkResult({ ...result, runtime: `chromium ${browser.version()}` }, fixtureCount)
  },
  60_000,
)

/** Serves the SERVED directories of the repository on 127.0.0.1 and a free port; resolves with its origin. */
function serveStatic(): Promise<string> {
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^[/\\]+/, '')
    const type = TYPES[extname(path)]
    if (!type || path.split(sep).includes('..') || !SERVED.some((dir) => path.startsWith(dir))) {
      response.writeHead(404).end()
      return
    }
    try {
      const body = await readFile(join(ROOT, path))
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  return new Promise((resolve) => {
    server!.listen(0, '127.0.0.1', () => {
      const address = server!.address()
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
    })
  })
}
