import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, streamChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { ChatCompletionDecoderStream, type ChatCompletionDecoderStreamOptions } from '@deltafold/web'
import { collect, delta, probeStream, random, randomSplit, recordedFixtures, sse, tick } from './helpers.js'

const encoder = new TextEncoder()

/** bytes → events over a probed byte source. */
function decode<Batch extends boolean = false>(
  pieces: Array<string | Uint8Array>,
  options: ChatCompletionDecoderStreamOptions<Batch> = {},
  probeOptions = {},
) {
  const { stream, probe } = probeStream(pieces, probeOptions)
  const decoder = new ChatCompletionDecoderStream<Batch>(options)
  const events = stream.pipeThrough(decoder)
  return { source: stream, probe, decoder, events }
}

/** What core's pull loop makes of the same bytes: events, then the completion or the error. */
async function core(body: string | Uint8Array, options: Parameters<typeof streamChatCompletion>[1] = {}) {
  const events: CompletionEvent[] = []
  const stream = streamChatCompletion([body], options)
  try {
    for await (const event of stream) events.push(event)
    return { events, completion: await stream.finalChatCompletion(), error: undefined }
  } catch (error) {
    return { events, completion: undefined, error }
  }
}

async function settleSoon(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick()
}

describe('ChatCompletionDecoderStream', () => {
  test('emits the events and resolves the completion of streamChatCompletion for the same bytes', async () => {
    const body = sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')
    const { events, decoder, probe } = decode([body])
    const expected = await core(body)
    expect(await collect(events)).toEqual(expected.events)
    expect(await decoder.finalChatCompletion()).toEqual(expected.completion)
    expect(decoder.snapshot()).toEqual(expected.completion)
    // [DONE] cancels the rest of the body, as core does.
    expect(probe.cancels).toHaveLength(1)
  })

  test('dispatches an unterminated last event, as core does', async () => {
    const body = sse(delta('Hel')) + 'data: ' + JSON.stringify(delta('lo', 'stop'))
    const { events, decoder } = decode([body])
    await collect(events)
    const completion = await decoder.finalChatCompletion()
    expect(completion.choices[0]?.message.content).toBe('Hello')
    expect(completion.choices[0]?.finish_reason).toBe('stop')
  })

  test('accepts text chunks as well as bytes', async () => {
    const body = sse(delta('é€😀', 'stop'))
    const { events } = decode([body.slice(0, 20), body.slice(20)])
    const text = (await collect(events)).filter((e) => e.type === 'content.delta').map((e) => (e as { delta: string }).delta)
    expect(text.join('')).toBe('é€😀')
  })

  test('options reach the parser: chunkEvents: false leaves out the chunk events, onEvent sees every event', async () => {
    const received: CompletionEvent[] = []
    const { events } = decode([sse(delta('a', 'stop'))], { chunkEvents: false, onEvent: (e) => received.push(e) })
    const seen = await collect(events)
    expect(seen.map((e) => e.type)).toEqual(['content.delta', 'content.done', 'finish', 'done'])
    expect(received).toEqual(seen)
  })

  test('maxEventBytes: an oversized event errors with event_too_large carrying partial, after the events before it', async () => {
    const { events, decoder } = decode([sse(delta('ok')), 'data: ' + 'x'.repeat(300) + '\n\n'], { maxEventBytes: 200 })
    const seen: string[] = []
    const error = (await (async () => {
      for await (const event of events) seen.push(event.type)
    })().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error.code).toBe('event_too_large')
    expect(seen).toEqual(['chunk', 'content.delta'])
    expect(error.partial?.choices[0]?.message.content).toBe('ok')
    await expect(decoder.finalChatCompletion()).rejects.toBe(error)
  })

  test("a provider error mid-stream errors with core's error (code, message, event number, byte offset) and cancels the source once", async () => {
    const body = sse(delta('Hi'), { error: { message: 'overloaded' } }, delta('never'))
    const expected = await core(body)
    const { events, decoder, probe, source } = decode([body])
    const seen: CompletionEvent[] = []
    const error = (await (async () => {
      for await (const event of events) seen.push(event)
    })().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    const reference = expected.error as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({
      name: reference.name,
      code: reference.code,
      message: reference.message,
      eventNumber: reference.eventNumber,
      byteOffset: reference.byteOffset,
    })
    expect(error.partial).toEqual(reference.partial)
    expect(seen).toEqual(expected.events)
    await expect(decoder.finalChatCompletion()).rejects.toBe(error)
    await settleSoon()
    expect(probe.cancels).toEqual([error])
    expect(source.locked).toBe(false)
  })

  test("a body failing mid-stream is core's stream_failed error, with the failure as cause and partial", async () => {
    const cause = new TypeError('terminated')
    const { events, decoder } = decode([sse(delta('a')), sse(delta('b'))], {}, { failAt: 2, error: cause })
    const error = (await collect(events).catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    const reference = (await core(sse(delta('a'), delta('b'))).then(async () => {
      const failing = probeStream([sse(delta('a')), sse(delta('b'))], { failAt: 2, error: cause }).stream
      return streamChatCompletion(failing)
        .finalChatCompletion()
        .catch((e: unknown) => e)
    })) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ name: 'DeltafoldError', code: 'stream_failed', cause, message: reference.message })
    expect(error.partial?.choices[0]?.message.content).toBe('ab')
    await expect(decoder.finalChatCompletion()).rejects.toBe(error)
  })

  test('[DONE] closes the events and cancels the rest of the body once, unread', async () => {
    const { events, decoder, probe, source } = decode([sse(delta('a', 'stop'), '[DONE]'), sse(delta('after')), sse(delta('more'))])
    const seen = await collect(events)
    expect(seen.at(-1)?.type).toBe('done')
    expect((await decoder.finalChatCompletion()).choices[0]?.message.content).toBe('a')
    await settleSoon()
    expect(probe.cancels).toHaveLength(1)
    expect(probe.pulls).toBeLessThanOrEqual(2)
    expect(source.locked).toBe(false)
  })

  test('cancelling the readable side cancels the byte source exactly once with the reason and rejects finalChatCompletion with aborted', async () => {
    const { events, decoder, probe, source } = decode([sse(delta('a')), sse(delta('b')), sse(delta('c'))])
    const reader = events.getReader()
    await reader.read()
    await reader.cancel('user closed the tab')
    await settleSoon()
    expect(probe.cancels).toEqual(['user closed the tab'])
    expect(source.locked).toBe(false)
    const error = (await decoder.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'aborted', cause: 'user closed the tab' })
    expect(error.partial?.choices[0]?.message.content).toBe('a')
    expect(decoder.snapshot().choices[0]?.message.content).toBe('a')
  })

  test('breaking out of for await cancels the byte source exactly once and releases every lock', async () => {
    const { events, probe, source } = decode(Array.from({ length: 20 }, (_, i) => sse(delta(String(i)))))
    for await (const event of events) if (event.type === 'content.delta') break
    await settleSoon()
    expect(probe.cancels).toHaveLength(1)
    expect(source.locked).toBe(false)
    expect(events.locked).toBe(false)
    expect(probe.pulls).toBeLessThan(5)
  })

  test('a slow consumer keeps the byte source at most a couple of chunks ahead', async () => {
    const { events, probe } = decode(Array.from({ length: 60 }, (_, i) => sse(delta(String(i % 10)))))
    let deltas = 0
    for await (const event of events) {
      if (event.type !== 'content.delta') continue
      deltas++
      await tick()
      expect(probe.pulls).toBeLessThanOrEqual(deltas + 2)
    }
    expect(deltas).toBe(60)
  })

  test('a write resolves only once the consumer has read the events it produced', async () => {
    const decoder = new ChatCompletionDecoderStream()
    const writer = decoder.writable.getWriter()
    let written = false
    void writer.write(sse(delta('a'), delta('b'))).then(() => (written = true))
    await settleSoon()
    expect(written).toBe(false)
    const reader = decoder.readable.getReader()
    for (let i = 0; i < 4; i++) await reader.read()
    await settleSoon()
    expect(written).toBe(false)
    // A fifth read finds the queue empty: the consumer has caught up, the write resolves.
    void reader.read()
    await settleSoon()
    expect(written).toBe(true)
  })

  test('finalChatCompletion() reads the events itself when nobody reads the readable side', async () => {
    const { decoder, probe } = decode([sse(delta('a')), sse(delta('b', 'stop'))])
    const completion = await decoder.finalChatCompletion()
    expect(completion.choices[0]?.message.content).toBe('ab')
    expect(probe.cancels).toEqual([])
    expect(decoder.readable.locked).toBe(true)
  })

  test('signal: aborting errors both sides with signal.reason carrying partial and cancels the source', async () => {
    const controller = new AbortController()
    const { events, decoder, probe } = decode([sse(delta('Hel')), sse(delta('lo'))], { signal: controller.signal }, { stallAt: 2 })
    const reader = events.getReader()
    await reader.read()
    await reader.read()
    const pending = reader.read()
    const reason = new Error('user left')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect((reason as Error & { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('Hel')
    await expect(decoder.finalChatCompletion()).rejects.toBe(reason)
    await settleSoon()
    expect(probe.cancels).toEqual([reason])
  })

  test('signal: an already aborted signal errors the stream before anything is read', async () => {
    const reason = new Error('too late')
    const { events, decoder } = decode([sse(delta('a'))], { signal: AbortSignal.abort(reason) })
    await expect(collect(events)).rejects.toBe(reason)
    await expect(decoder.finalChatCompletion()).rejects.toBe(reason)
  })

  test("batch: each write's events arrive as one array, the same events in the same order", async () => {
    const pieces = [sse(delta('a'), delta('b')), sse(delta('c', 'stop'), '[DONE]')]
    const batches = await collect(decode(pieces, { batch: true }).events)
    expect(batches.length).toBe(2)
    expect(batches.flat()).toEqual((await core(pieces.join(''))).events)
  })

  test('is a readable/writable pair for pipeThrough, async-iterable, unlocked until used', () => {
    const decoder = new ChatCompletionDecoderStream()
    expect(decoder.readable).toBeInstanceOf(ReadableStream)
    expect(decoder.writable).toBeInstanceOf(WritableStream)
    expect(typeof (decoder.readable as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]).toBe('function')
    expect(decoder.readable.locked).toBe(false)
  })
})

describe('ChatCompletionDecoderStream on recorded streams', () => {
  test.each(recordedFixtures())("%s: any split gives core's events and completion", async (_name, bytes) => {
    const expected = await core(bytes)
    for (const seed of [1, 2]) {
      const { events, decoder } = decode(randomSplit(bytes, random(seed)))
      expect(await collect(events)).toEqual(expected.events)
      expect(await decoder.finalChatCompletion()).toEqual(expected.completion)
    }
  })
})

describe('ChatCompletionDecoderStream property', () => {
  test('any split of a body gives the events and completion of feeding it whole', async () => {
    const body = encoder.encode(
      sse(
        { id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
        delta('héllo '),
        delta('wörld 😀'),
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '{"a"' } }] } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }, finish_reason: 'tool_calls' }] },
        { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
        '[DONE]',
      ),
    )
    const expected = await core(body)
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: body.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), body.length]
        const pieces = points.slice(1).map((end, i) => body.subarray(points[i], end))
        const { events, decoder } = decode(pieces)
        expect(await collect(events)).toEqual(expected.events)
        expect(await decoder.finalChatCompletion()).toEqual(expected.completion)
      }),
      { seed: 0x0dec0de, numRuns: 150 },
    )
  })
})
