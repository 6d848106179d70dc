import { accumulateAnthropicMessage, DeltafoldError, ProviderError, streamAnthropicMessage, type AnthropicMessage } from '@deltafold/core'
import { describe, expect, test } from 'vitest'
import { anthropicSSE, messageStart } from './anthropic-helpers.js'

const encoder = new TextEncoder()

const EVENTS = [
  messageStart(),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi there' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } },
  { type: 'message_stop' },
]
const BODY = anthropicSSE(EVENTS)
const HEAD = anthropicSSE(EVENTS.slice(0, 3))

/** A ReadableStream over `pieces` that counts pulls and cancels; `stallAt`: that pull never settles. */
function probeStream(pieces: string[], opts: { stallAt?: number } = {}) {
  const probe = { pulls: 0, cancels: [] as unknown[] }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const i = probe.pulls++
        if (i === opts.stallAt) return new Promise(() => {})
        if (i >= pieces.length) return controller.close()
        controller.enqueue(encoder.encode(pieces[i]!))
      },
      cancel(reason) {
        probe.cancels.push(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, probe }
}

async function rejection(promise: Promise<unknown>): Promise<DeltafoldError<AnthropicMessage>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DeltafoldError)
  return error as DeltafoldError<AnthropicMessage>
}

describe('sources', () => {
  test.each([
    ['a string', () => BODY],
    ['bytes', () => encoder.encode(BODY)],
    ['an array of chunks', () => [BODY.slice(0, 100), encoder.encode(BODY.slice(100))]],
    ['a ReadableStream', () => probeStream([BODY.slice(0, 50), BODY.slice(50)]).stream],
    ['a Response', () => new Response(BODY, { headers: { 'content-type': 'text/event-stream' } })],
  ])('reads %s', async (_what, source) => {
    const message = await accumulateAnthropicMessage(source())
    expect(message.content).toEqual([{ type: 'text', text: 'Hi there' }])
    expect(message.usage).toEqual({ input_tokens: 10, output_tokens: 3 })
  })

  test('a non-2xx Response is an http_error ProviderError with the provider error body', async () => {
    const response = new Response('{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}', {
      status: 429,
      headers: { 'content-type': 'application/json' },
    })
    const error = await rejection(accumulateAnthropicMessage(response))
    expect(error).toBeInstanceOf(ProviderError)
    expect(error.code).toBe('http_error')
    expect((error as ProviderError).status).toBe(429)
  })

  test('message_stop cancels the source once; bytes after it are never read', async () => {
    const { stream, probe } = probeStream([BODY, 'event: message_start\ndata: {oops}\n\n', 'more'])
    const message = await accumulateAnthropicMessage(stream)
    expect(message.stop_reason).toBe('end_turn')
    expect(probe.cancels).toHaveLength(1)
    expect(probe.pulls).toBe(1)
  })
})

describe('errors', () => {
  test('text that holds no SSE event is not_event_stream, quoting its head', async () => {
    const error = await rejection(accumulateAnthropicMessage('<html><body>Bad gateway</body></html>'))
    expect(error.code).toBe('not_event_stream')
    expect(error.message).toContain('<html>')
  })

  test('a JSON error body given as bytes is not_event_stream, quoting it', async () => {
    const body = encoder.encode('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    const error = await rejection(accumulateAnthropicMessage(body))
    expect(error.code).toBe('not_event_stream')
    expect(error.message).toContain('overloaded_error')
  })

  test('a stream cut in the middle of an event: the cut event is read as far as it goes, and the partial keeps the rest', async () => {
    const cut = HEAD + 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_d'
    const error = await rejection(accumulateAnthropicMessage(encoder.encode(cut)))
    expect(error.code).toBe('invalid_json')
    expect(error.eventNumber).toBe(4)
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
    // Cut between events instead: unexpected_eof, the same partial.
    const between = await rejection(accumulateAnthropicMessage(encoder.encode(HEAD + 'event: content_block_delta\n')))
    expect(between.code).toBe('unexpected_eof')
    expect(between.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
  })

  test('an empty body, or only pings, is empty_stream', async () => {
    expect((await rejection(accumulateAnthropicMessage(''))).code).toBe('empty_stream')
    expect((await rejection(accumulateAnthropicMessage('event: ping\ndata: {"type": "ping"}\n\n'))).code).toBe('empty_stream')
  })

  test('invalid JSON names the event number and byte offset, with the partial message', async () => {
    const error = await rejection(accumulateAnthropicMessage(HEAD + 'event: content_block_delta\ndata: {"type":\n\n'))
    expect(error.code).toBe('invalid_json')
    expect(error.eventNumber).toBe(4)
    expect(error.byteOffset).toBe(HEAD.length + 'event: content_block_delta\ndata: {"type":\n'.length)
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
  })

  test('an error raised by the fold gets the event number too', async () => {
    const error = await rejection(
      accumulateAnthropicMessage(
        HEAD + anthropicSSE([{ type: 'content_block_delta', index: 7, delta: { type: 'text_delta', text: 'x' } }]),
      ),
    )
    expect(error.code).toBe('invalid_index')
    expect(error.eventNumber).toBe(4)
    expect(error.message).toMatch(/\(event 4 at byte \d+\)$/)
  })

  test('event: error with text data is a ProviderError whose error is the text', async () => {
    const error = await rejection(accumulateAnthropicMessage(HEAD + 'event: error\ndata: upstream went away\n\n'))
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toBe('upstream went away')
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
  })

  test('maxEventBytes: an oversized event is event_too_large, with the partial message', async () => {
    const big = anthropicSSE([{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x'.repeat(5000) } }])
    const error = await rejection(accumulateAnthropicMessage([HEAD, big], { maxEventBytes: 1024 }))
    expect(error.code).toBe('event_too_large')
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
  })
})

describe('streamAnthropicMessage', () => {
  test('yields the events in wire order and resolves finalMessage()', async () => {
    const stream = streamAnthropicMessage(probeStream([BODY.slice(0, 200), BODY.slice(200)]).stream)
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(types).toEqual(EVENTS.map((event) => event.type))
    expect((await stream.finalMessage()).content).toEqual([{ type: 'text', text: 'Hi there' }])
  })

  test('finalMessage() alone drains the stream', async () => {
    expect((await streamAnthropicMessage(BODY).finalMessage()).stop_reason).toBe('end_turn')
  })

  test('the events before an error are handed out, then the loop throws the error with partial', async () => {
    const stream = streamAnthropicMessage(HEAD)
    const types: string[] = []
    const error = await (async () => {
      for await (const event of stream) types.push(event.type)
    })().catch((e: unknown) => e as DeltafoldError<AnthropicMessage>)
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta'])
    expect(error).toMatchObject({ code: 'unexpected_eof' })
    expect((error as DeltafoldError<AnthropicMessage>).partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
    await expect(stream.finalMessage()).rejects.toBe(error)
  })

  test('breaking out of the loop cancels the source once and rejects finalMessage() with aborted', async () => {
    const { stream: source, probe } = probeStream([HEAD, 'x'], { stallAt: 1 })
    const stream = streamAnthropicMessage(source)
    for await (const event of stream) if (event.type === 'content_block_delta') break
    expect(probe.cancels).toHaveLength(1)
    const error = await rejection(stream.finalMessage())
    expect(error.code).toBe('aborted')
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hi there' }])
  })

  test('an abort signal rejects with its reason, carrying the partial message, and cancels the source', async () => {
    const { stream: source, probe } = probeStream([HEAD], { stallAt: 1 })
    const controller = new AbortController()
    const result = accumulateAnthropicMessage(source, { signal: controller.signal }).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 10))
    const reason = new Error('user stopped')
    controller.abort(reason)
    const error = (await result) as Error & { partial: AnthropicMessage }
    expect(error).toBe(reason)
    expect(error.partial.content).toEqual([{ type: 'text', text: 'Hi there' }])
    expect(probe.cancels).toEqual([reason])
  })

  test('iterating twice is misuse', () => {
    const stream = streamAnthropicMessage(BODY)
    stream[Symbol.asyncIterator]()
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/)
  })
})
