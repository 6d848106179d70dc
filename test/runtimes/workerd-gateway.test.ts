// The Cloudflare Worker gateway example (packages/web/examples/cloudflare-worker.ts) in workerd:
// esbuild bundles it with the built web and core packages, workerd serves it on 127.0.0.1, and a
// loopback node:http server plays both the upstream API (serving recorded streams) and the log sink
// the worker POSTs to from ctx.waitUntil(). Bounded in time, loopback only.
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { accumulateChatCompletion } from '@deltafold/core'
import { recordedFixtures } from '../gateway/helpers.js'
import { assertBuilt, binaryOrSkip, CORE_DIST, ROOT, RUNTIMES_DIR, TMP_DIR, WEB_DIST } from './harness.js'

const workerd = binaryOrSkip('workerd')
const COMPATIBILITY_DATE = '2025-09-01'
const fixtures = new Map(recordedFixtures())
const STREAMS: Record<string, string> = {
  '/v1/text': 'vercel-ai/openai-gpt-text.sse',
  '/v1/tools': 'simonw-llm/openai-gpt-4o-mini-tool-call.sse',
  '/v1/reasoning': 'vercel-ai/deepseek-reasoner-tool-call.sse',
}
const MALFORMED =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n' +
  'data: {oops\n\ndata: [DONE]\n\n'

const logs: Array<Record<string, any>> = []
let upstreamClosed = false
const waiters: Array<() => void> = []
let sink: Server
let worker: { stop(): void; exited(): boolean; output(): string } | undefined
let workerUrl = ''

function serveUpstream(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', async () => {
    const path = new URL(request.url!, 'http://x').pathname
    if (path === '/log') {
      logs.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      for (const wake of waiters.splice(0)) wake()
      response.end('ok')
      return
    }
    if (path === '/v1/hang') {
      // "Hel", then an empty delta every 20 ms (at most 500) until the other side goes away: workerd
      // notices a gone client when it writes to it.
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write(MALFORMED.slice(0, MALFORMED.indexOf('\n\n') + 2))
      let sent = 0
      const timer = setInterval(() => {
        if (++sent > 500) return void (clearInterval(timer), response.end())
        response.write('data: {"choices":[{"index":0,"delta":{"content":""}}]}\n\n')
      }, 20)
      response.on('close', () => {
        clearInterval(timer)
        upstreamClosed = true
      })
      return
    }
    const recorded = fixtures.get(STREAMS[path] ?? '')
    if (path !== '/v1/malformed' && recorded === undefined) {
      response.writeHead(404).end()
      return
    }
    const body = path === '/v1/malformed' ? Buffer.from(MALFORMED) : Buffer.from(recorded!)
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    // Trickled in pieces of 97 bytes, one per event-loop turn, as a provider streams.
    for (let at = 0; at < body.length; at += 97) {
      response.write(body.subarray(at, at + 97))
      await new Promise((resolve) => setImmediate(resolve))
    }
    response.end()
  })
}

async function nextLog(count: number): Promise<Record<string, any>> {
  const deadline = Date.now() + 10_000
  while (logs.length < count) {
    if (Date.now() > deadline) throw new Error(`no log entry from the worker (upstream closed: ${upstreamClosed}):\n${worker?.output()}`)
    await new Promise<void>((resolve) => {
      waiters.push(resolve)
      setTimeout(resolve, 200)
    })
  }
  return logs[count - 1]!
}

beforeAll(async () => {
  if (!workerd) return
  assertBuilt()
  sink = createServer(serveUpstream)
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`
  const dir = join(TMP_DIR, 'workerd-gateway')
  await mkdir(dir, { recursive: true })
  await build({
    entryPoints: [join(ROOT, 'packages/web/examples/cloudflare-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: join(dir, 'worker.bundle.mjs'),
    alias: { '@deltafold/web': WEB_DIST, '@deltafold/core': CORE_DIST },
    logLevel: 'silent',
  })
  const template = await readFile(join(RUNTIMES_DIR, 'workerd/gateway.capnp.template'), 'utf8')
  for (let attempt = 0; attempt < 3 && workerUrl === ''; attempt++) {
    const port = await freePort()
    await writeFile(
      join(dir, 'config.capnp'),
      template
        .replace('@PORT@', String(port))
        .replace('@BUNDLE@', 'worker.bundle.mjs')
        .replace('@COMPATIBILITY_DATE@', COMPATIBILITY_DATE)
        .replace('@UPSTREAM_URL@', `${sinkUrl}/v1/`)
        .replace('@LOG_URL@', `${sinkUrl}/log`),
    )
    worker = startWorkerd(workerd, join(dir, 'config.capnp'), dir)
    if (await ready(`http://127.0.0.1:${port}`, worker)) workerUrl = `http://127.0.0.1:${port}`
    else worker.stop()
  }
  if (workerUrl === '') throw new Error(`workerd did not start:\n${worker?.output()}`)
}, 60_000)

afterAll(async () => {
  worker?.stop()
  await new Promise((resolve) => sink?.close(resolve))
})

test.skipIf(!workerd).each(Object.entries(STREAMS))(
  'workerd: the worker streams %s to the client unchanged and logs its completion from ctx.waitUntil',
  async (path, fixture) => {
    const before = logs.length
    const response = await fetch(`${workerUrl}${path.replace('/v1', '')}`, { method: 'POST', body: '{}' })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(Buffer.from(bytes).equals(Buffer.from(fixtures.get(fixture)!))).toBe(true)
    const entry = await nextLog(before + 1)
    expect(entry.ok).toBe(true)
    expect(entry.completion).toEqual(await accumulateChatCompletion([bytes]))
  },
  30_000,
)

test.skipIf(!workerd)(
  'workerd: a malformed stream reaches the client whole and the log carries the typed error and partial',
  async () => {
    const before = logs.length
    const response = await fetch(`${workerUrl}/malformed`, { method: 'POST', body: '{}' })
    expect(await response.text()).toBe(MALFORMED)
    const entry = await nextLog(before + 1)
    expect(entry).toMatchObject({ ok: false, error: { code: 'invalid_json' } })
    expect(entry.partial.choices[0].message.content).toBe('Hel')
  },
  30_000,
)

test.skipIf(!workerd)(
  'workerd: a client that goes away cancels the upstream and the log carries aborted with partial',
  async () => {
    const before = logs.length
    const controller = new AbortController()
    const response = await fetch(`${workerUrl}/hang`, { method: 'POST', body: '{}', signal: controller.signal })
    const reader = response.body!.getReader()
    await reader.read()
    controller.abort()
    const entry = await nextLog(before + 1)
    expect(entry).toMatchObject({ ok: false, error: { code: 'aborted' } })
    expect(entry.partial.choices[0].message.content).toBe('Hel')
    const deadline = Date.now() + 5_000
    while (!upstreamClosed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(upstreamClosed).toBe(true)
  },
  30_000,
)

function startWorkerd(binary: string, config: string, cwd: string) {
  const child = spawn(binary, ['serve', config], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let exited = false
  child.stdout.on('data', (data: Buffer) => (output += data.toString()))
  child.stderr.on('data', (data: Buffer) => (output += data.toString()))
  child.on('exit', () => (exited = true))
  return { stop: () => void (exited || child.kill('SIGKILL')), exited: () => exited, output: () => output }
}

async function ready(url: string, server: { exited(): boolean }): Promise<boolean> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline && !server.exited()) {
    try {
      await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) })
      return true
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return false
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}
