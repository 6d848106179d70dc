import { getEventListeners } from 'node:events'
import { Agent, get, type IncomingMessage } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accumulateChatCompletion, ProviderError, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { accumulateFromReadable, createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import {
  activeResources,
  delta,
  eventually,
  random,
  randomSplit,
  recordedFixtures,
  sse,
  startServer,
  writeSlowly,
  type TestServer,
} from './helpers.js'

const fixtures = recordedFixtures()

// One connection per request (no keep-alive pool), so every socket's fate is observable.
const agent = new Agent({ keepAlive: false })

function request(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, { agent }, resolve).on('error', reject))
}

/** What the server did with each request, by path. */
const served = new Map<string, { closedEarly: Promise<boolean> }>()

let server: TestServer
let baseline: Record<string, number>

beforeAll(async () => {
  baseline = activeResources()
  server = await startServer((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const seed = Number(url.searchParams.get('seed') ?? 1)
    const rng = random(seed)
    const route = url.pathname
    const record = (done: Promise<boolean>) => served.set(req.url!, { closedEarly: done.then((all) => !all) })
    if (route.startsWith('/fixture/')) {
      const [, bytes] = fixtures[Number(route.slice('/fixture/'.length))]!
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // About 100+ writes per fixture whatever its size: random sizes, cuts inside UTF-8 sequences.
      record(writeSlowly(res, randomSplit(bytes, rng, Math.max(96, Math.ceil(bytes.length / 60))), rng, 1))
    } else if (route === '/endless') {
      // Events forever, every few ms, until the client goes away.
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      record(
        writeSlowly(
          res,
          Array.from({ length: 100_000 }, (_, i) => sse(delta(String(i % 10)))),
          rng,
          3,
        ),
      )
    } else if (route === '/done-then-silence') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(sse(delta('Hi', 'stop'), '[DONE]'))
      // Never ends: the client must stop reading after [DONE] and close the connection.
      record(new Promise((resolve) => res.once('close', () => resolve(false))))
    } else if (route === '/drop') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(sse(delta('Hel'), delta('lo')))
      setTimeout(() => res.socket?.destroy(), 20)
    } else if (route === '/429') {
      res.writeHead(429, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests' } }))
    } else if (route === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'stream must be true' } }))
    } else if (route === '/huge-error') {
      res.writeHead(500, { 'content-type': 'text/plain' })
      record(
        writeSlowly(
          res,
          Array.from({ length: 1000 }, () => 'x'.repeat(16 * 1024)),
          rng,
          0,
        ),
      )
    } else {
      res.writeHead(404).end()
    }
  })
})

afterAll(async () => {
  agent.destroy()
  await server.close()
  expect(await eventually(() => (activeResources().TCPServerWrap ?? 0) <= (baseline.TCPServerWrap ?? 0))).toBe(true)
})

describe.each(fixtures.map(([name], i) => [name, i] as const))('over HTTP: %s', (_name, index) => {
  test('accumulateFromReadable, with random write sizes and delays, equals accumulateChatCompletion of the bytes', async () => {
    const expected = await accumulateChatCompletion(fixtures[index]![1])
    const response = await request(`${server.url}/fixture/${index}?seed=${index + 1}`)
    expect(await accumulateFromReadable(response)).toEqual(expected)
  })

  test('the transform pipeline gives the same events and completion', async () => {
    const bytes = fixtures[index]![1]
    const expectedEvents: CompletionEvent[] = []
    const expected = await accumulateChatCompletion(bytes, { onEvent: (e) => expectedEvents.push(e) })
    const response = await request(`${server.url}/fixture/${index}?seed=${index + 100}`)
    const events = createEventTransform()
    const seen: CompletionEvent[] = []
    await pipeline(response, createSSEDecoderTransform({ dispatchUnterminated: true }), createChunkTransform(), events, async (source) => {
      for await (const event of source) seen.push(event as CompletionEvent)
    })
    expect(seen).toEqual(expectedEvents)
    expect(await events.finalChatCompletion()).toEqual(expected)
  })
})

describe('over HTTP: failures and aborts', () => {
  test.each([1, 2, 3])(
    'signal: a client abort mid-stream (seed %i) rejects with the reason and leaks no socket or listener',
    async (seed) => {
      const before = activeResources()
      const url = `/endless?seed=${seed}`
      const response = await request(server.url + url)
      const socket = response.socket
      // Node's own listeners (the client keeps one 'end' listener): ours must all be gone afterwards.
      const names = ['readable', 'end', 'error', 'close', 'data'] as const
      const listenersBefore = names.map((name) => response.listenerCount(name))
      const controller = new AbortController()
      const abortAfter = 3 + Math.floor(random(seed)() * 20)
      let deltas = 0
      const reason = new Error(`user pressed stop after ${abortAfter}`)
      const error = await accumulateFromReadable(response, {
        signal: controller.signal,
        onEvent(event) {
          if (event.type === 'content.delta' && ++deltas === abortAfter) setTimeout(() => controller.abort(reason), 1)
        },
      }).catch((e: unknown) => e)

      expect(error).toBe(reason)
      const partial = (reason as unknown as { partial: ChatCompletion }).partial
      expect(partial.choices[0]?.message.content?.length).toBeGreaterThanOrEqual(abortAfter)
      // Client side: the response and its socket are destroyed, nothing listens any more.
      expect(response.destroyed).toBe(true)
      expect(await eventually(() => socket.destroyed)).toBe(true)
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
      expect(names.map((name) => response.listenerCount(name))).toEqual(listenersBefore)
      // Server side: it saw the client go away, and holds no connection.
      expect(await served.get(url)!.closedEarly).toBe(true)
      expect(await eventually(async () => (await server.connections()) === 0)).toBe(true)
      expect(await eventually(() => (activeResources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0))).toBe(true)
    },
  )

  test('[DONE] resolves at once and closes a connection the server keeps open', async () => {
    const response = await request(`${server.url}/done-then-silence`)
    const completion = await accumulateFromReadable(response)
    expect(completion.choices[0]?.message.content).toBe('Hi')
    expect(response.destroyed).toBe(true)
    expect(await served.get('/done-then-silence')!.closedEarly).toBe(true)
    expect(await eventually(async () => (await server.connections()) === 0)).toBe(true)
  })

  test('the server dropping the connection mid-stream is a stream_failed error with the cause and the partial', async () => {
    const response = await request(`${server.url}/drop`)
    const error = (await accumulateFromReadable(response).catch((e: unknown) => e)) as Error & { code: string; partial: ChatCompletion }
    expect(error).toMatchObject({ name: 'DeltafoldError', code: 'stream_failed' })
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.partial.choices[0]?.message.content).toBe('Hello')
  })

  test('a 429 JSON response is a ProviderError http_error with the status and the parsed body', async () => {
    const response = await request(`${server.url}/429`)
    await expect(accumulateFromReadable(response)).rejects.toMatchObject({
      name: 'ProviderError',
      code: 'http_error',
      status: 429,
      error: { error: { message: 'Rate limit reached', type: 'requests' } },
      message: 'The provider answered with HTTP 429: Rate limit reached',
    })
  })

  test('a 200 application/json error body is the provider error (upstream_error) with its object and headers', async () => {
    const response = await request(`${server.url}/json`)
    const error = (await accumulateFromReadable(response).catch((e: unknown) => e)) as ProviderError
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', error: { message: 'stream must be true' } })
    expect(response.destroyed || response.readableEnded).toBe(true)
  })

  test('a huge error body is read only up to 64 KiB and the connection closed', async () => {
    const response = await request(`${server.url}/huge-error`)
    const error = (await accumulateFromReadable(response).catch((e: unknown) => e)) as { code: string; error: string }
    expect(error.code).toBe('http_error')
    expect(error.error.length).toBeGreaterThanOrEqual(64 * 1024)
    expect(error.error.length).toBeLessThan(64 * 1024 + 70 * 1024)
    expect(await served.get('/huge-error')!.closedEarly).toBe(true)
  })

  test('a client abort in the transform pipeline closes the connection and rejects finalChatCompletion with the reason', async () => {
    const url = '/endless?seed=9'
    const response = await request(server.url + url)
    const socket = response.socket
    const controller = new AbortController()
    const events = createEventTransform()
    const reason = new Error('stop')
    let deltas = 0
    const result = pipeline(
      response,
      createSSEDecoderTransform(),
      createChunkTransform(),
      events,
      async (source) => {
        for await (const event of source)
          if ((event as CompletionEvent).type === 'content.delta' && ++deltas === 5) controller.abort(reason)
      },
      { signal: controller.signal },
    )
    const error = await result.catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AbortError', cause: reason })
    await expect(events.finalChatCompletion()).rejects.toBe(error)
    expect(events.snapshot().choices[0]?.message.content).toBe('01234')
    // pipeline() ends an IncomingMessage source through req.abort(): the socket goes, not the message.
    expect(await eventually(() => socket.destroyed)).toBe(true)
    expect(await served.get(url)!.closedEarly).toBe(true)
    expect(await eventually(async () => (await server.connections()) === 0)).toBe(true)
  })
})

test('the server is idle after every test', async () => {
  expect(await eventually(async () => (await server.connections()) === 0)).toBe(true)
})
