import { describe, expect, test } from 'vitest'
import {
  DeltafoldError,
  accumulateChatCompletion,
  type ChatCompletion,
  type ChatCompletionChunk,
  type CompletionEvent,
} from '@deltafold/core'
import { ChatCompletionChunkStream, ChatCompletionEventStream, SSEDecoderStream } from '@deltafold/web'
import { collect, delta, probeStream, sse, tick } from './helpers.js'

function chunkStream(chunks: object[]): ReadableStream<ChatCompletionChunk> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk as ChatCompletionChunk)
      c.close()
    },
  })
}

/** bytes → SSE → chunks → events over a probed byte source. */
function chain(pieces: string[], options: ConstructorParameters<typeof ChatCompletionEventStream>[0] = {}, probeOptions = {}) {
  const { stream, probe } = probeStream(pieces, probeOptions)
  const eventStream = new ChatCompletionEventStream(options)
  const events = stream
    .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
    .pipeThrough(new ChatCompletionChunkStream())
    .pipeThrough(eventStream)
  return { source: stream, probe, eventStream, events }
}

async function settleSoon(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick()
}

describe('ChatCompletionEventStream', () => {
  test.each([
    ['no bytes', []],
    ['only [DONE]', [sse('[DONE]')]],
    ['an HTML page', ['<html><body>502</body></html>']],
  ])(
    'input with no chunk (%s) rejects empty_stream with an empty partial; allowEmpty resolves an empty completion',
    async (_name, pieces) => {
      const rejected = chain(pieces as string[])
      const error = await collect(rejected.events).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DeltafoldError)
      expect(error).toMatchObject({ code: 'empty_stream', partial: { choices: [] } })
      await expect(rejected.eventStream.finalChatCompletion()).rejects.toBe(error)
      const allowed = chain(pieces as string[], { allowEmpty: true })
      expect((await collect(allowed.events)).map((event) => event.type)).toEqual(['done'])
      expect((await allowed.eventStream.finalChatCompletion()).choices).toEqual([])
    },
  )

  test('emits the typed events and resolves finalChatCompletion like accumulateChatCompletion', async () => {
    const body = sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')
    const { events, eventStream } = chain([body])
    const seen = await collect(events)
    expect(seen.map((e) => e.type)).toEqual(['chunk', 'content.delta', 'chunk', 'content.delta', 'content.done', 'finish', 'done'])
    expect(await eventStream.finalChatCompletion()).toEqual(await accumulateChatCompletion(body))
  })

  test('onEvent receives the same events as the readable side', async () => {
    const received: CompletionEvent[] = []
    const { events } = chain([sse(delta('a', 'stop'))], { onEvent: (e) => received.push(e) })
    expect(await collect(events)).toEqual(received)
  })

  test('snapshot() returns the completion so far while the stream runs', async () => {
    const { events, eventStream } = chain([sse(delta('a')), sse(delta('b')), sse(delta('c', 'stop'))])
    const contents: Array<string | null | undefined> = []
    for await (const event of events) if (event.type === 'content.delta') contents.push(eventStream.snapshot().choices[0]?.message.content)
    expect(contents).toEqual(['a', 'ab', 'abc'])
  })

  test('finalChatCompletion() reads the events itself when nobody reads the readable side', async () => {
    const { eventStream, probe } = chain([sse(delta('a')), sse(delta('b', 'stop'))])
    const completion = await eventStream.finalChatCompletion()
    expect(completion.choices[0]?.message.content).toBe('ab')
    expect(probe.cancels).toEqual([])
  })

  test('an invalid chunk errors the readable side with the typed error carrying partial, and finalChatCompletion rejects with it', async () => {
    const eventStream = new ChatCompletionEventStream()
    const events = chunkStream([delta('ok'), { choices: [{ index: -1, delta: { content: 'x' } }] }]).pipeThrough(eventStream)
    const seen: string[] = []
    const error = (await (async () => {
      for await (const event of events) seen.push(event.type)
    })().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error.code).toBe('invalid_index')
    expect(error.partial?.choices[0]?.message.content).toBe('ok')
    expect(seen).toEqual(['chunk', 'content.delta', 'chunk'])
    await expect(eventStream.finalChatCompletion()).rejects.toBe(error)
    expect(eventStream.snapshot().choices[0]?.message.content).toBe('ok')
  })

  test('a provider error mid-stream reaches the readable side as a ProviderError carrying partial', async () => {
    const { events, eventStream, probe, source } = chain([sse(delta('Hi')), sse({ error: { message: 'overloaded' } }), sse(delta('never'))])
    const error = (await collect(events).catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ name: 'ProviderError', code: 'upstream_error', eventNumber: 2 })
    expect(error.partial?.choices[0]?.message.content).toBe('Hi')
    await expect(eventStream.finalChatCompletion()).rejects.toBe(error)
    await settleSoon()
    expect(probe.cancels).toHaveLength(1)
    expect(source.locked).toBe(false)
  })

  test('a source read failing mid-stream errors the readable side with that error, carrying a non-enumerable partial', async () => {
    const cause = new TypeError('terminated')
    const { events, eventStream } = chain([sse(delta('a')), sse(delta('b'))], {}, { failAt: 2, error: cause })
    const error = await collect(events).catch((e: unknown) => e)
    expect(error).toBe(cause)
    expect(Object.keys(cause)).not.toContain('partial')
    expect((cause as unknown as { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('ab')
    await expect(eventStream.finalChatCompletion()).rejects.toBe(cause)
  })

  test('cancelling the readable side cancels the byte source exactly once, releases it and rejects finalChatCompletion with aborted', async () => {
    const { events, eventStream, probe, source } = chain([sse(delta('a')), sse(delta('b')), sse(delta('c'))])
    const reader = events.getReader()
    await reader.read()
    await reader.cancel('user closed the tab')
    await settleSoon()
    // Through the pipes the byte source gets the error of the stage after it (runtime-specific).
    expect(probe.cancels).toHaveLength(1)
    expect(source.locked).toBe(false)
    const error = (await eventStream.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'aborted', cause: 'user closed the tab' })
    expect(error.partial?.choices[0]?.message.content).toBe('a')
  })

  test('breaking out of for await cancels the byte source exactly once and releases every lock', async () => {
    const { events, probe, source } = chain(Array.from({ length: 20 }, (_, i) => sse(delta(String(i)))))
    for await (const event of events) if (event.type === 'content.delta') break
    await settleSoon()
    expect(probe.cancels).toHaveLength(1)
    expect(source.locked).toBe(false)
    expect(events.locked).toBe(false)
    expect(probe.pulls).toBeLessThan(6)
  })

  test('a slow consumer keeps the byte source at most a few chunks ahead', async () => {
    const { events, probe } = chain(Array.from({ length: 60 }, (_, i) => sse(delta(String(i % 10)))))
    let deltas = 0
    for await (const event of events) {
      if (event.type !== 'content.delta') continue
      deltas++
      await tick()
      expect(probe.pulls).toBeLessThanOrEqual(deltas + 4)
    }
    expect(deltas).toBe(60)
  })

  test('is a readable/writable pair for pipeThrough whose readable side is async-iterable', () => {
    const eventStream = new ChatCompletionEventStream()
    expect(eventStream.writable).toBeInstanceOf(WritableStream)
    expect(eventStream.readable).toBeInstanceOf(ReadableStream)
    expect(typeof (eventStream.readable as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]).toBe('function')
    expect(eventStream.readable.locked).toBe(false)
  })
})
