import { once } from 'node:events'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { accumulateChatCompletion, type ChatCompletion, type DeltafoldError } from '@deltafold/core'
import { createProxy } from '../examples/http-proxy.js'
import { recordedFixtures } from './helpers.js'

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function listen(server: Server): Promise<string> {
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const FIXTURES = new Map(recordedFixtures())

describe.each([
  'simonw-llm/openai-gpt-4o-mini-tool-call.sse',
  'vercel-ai/groq-reasoning.sse',
  'semantic-kernel/azure-gpt-4o-async-content-filter.sse',
])('%s', (name) => {
  test('the proxy streams the upstream bytes unchanged and reports the completion of accumulateChatCompletion', async () => {
    const bytes = FIXTURES.get(name)!
    let path = ''
    const upstream = await listen(
      createServer(async (req, res) => {
        path = req.url!
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const size = Math.max(61, Math.ceil(bytes.length / 64))
        for (let at = 0; at < bytes.length; at += size) {
          res.write(bytes.subarray(at, at + size))
          await new Promise((resolve) => setImmediate(resolve))
        }
        res.end()
      }),
    )
    let resolve!: (c: ChatCompletion) => void
    let reject!: (e: unknown) => void
    const completed = new Promise<ChatCompletion>((r, rj) => ((resolve = r), (reject = rj)))
    const proxy = await listen(createProxy({ upstream: `${upstream}/v1`, onCompletion: resolve, onError: reject }))
    const response = await fetch(`${proxy}/chat/completions?x=1`, { method: 'POST', body: '{"stream":true}' })
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true)
    expect(path).toBe('/v1/chat/completions?x=1')
    expect(await completed).toEqual(await accumulateChatCompletion([bytes]))
  })
})

test('a client that goes away mid-stream closes the upstream response and the fold rejects aborted with partial', async () => {
  let upstreamClosed!: () => void
  const closed = new Promise<void>((r) => (upstreamClosed = r))
  const upstream = await listen(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n')
      res.on('close', upstreamClosed)
    }),
  )
  let reject!: (e: unknown) => void
  const failed = new Promise<unknown>((_r, rj) => (reject = rj))
  failed.catch(() => {})
  const proxy = await listen(createProxy({ upstream, onCompletion: () => reject(new Error('completed')), onError: reject }))
  const client = request(`${proxy}/chat/completions`, { method: 'POST' })
  client.end('{}')
  const [response] = (await once(client, 'response')) as [import('node:http').IncomingMessage]
  await once(response, 'data')
  client.destroy()
  const error = (await failed.catch((e: unknown) => e)) as DeltafoldError
  expect(error.code).toBe('aborted')
  expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
  await closed
})

test('a malformed stream reaches the client whole; only the fold fails (fail-open)', async () => {
  const body = 'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\ndata: {oops\n\ndata: [DONE]\n\n'
  const upstream = await listen(createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(body)))
  let reject!: (e: unknown) => void
  const failed = new Promise<unknown>((_r, rj) => (reject = rj))
  failed.catch(() => {})
  const proxy = await listen(createProxy({ upstream, onCompletion: () => reject(new Error('completed')), onError: reject }))
  const response = await fetch(`${proxy}/chat/completions`, { method: 'POST', body: '{}' })
  expect(await response.text()).toBe(body)
  const error = (await failed.catch((e: unknown) => e)) as DeltafoldError
  expect(error.code).toBe('invalid_json')
  expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
})
