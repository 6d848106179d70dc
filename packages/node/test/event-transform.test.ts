import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, accumulateChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import { delta, probeReadable, random, randomSplit, recordedFixtures, sse, tick } from './helpers.js'

async function run(source: Readable, events = createEventTransform()) {
  const seen: CompletionEvent[] = []
  const result = pipeline(
    source,
    createSSEDecoderTransform({ dispatchUnterminated: true }),
    createChunkTransform(),
    events,
    async (stream) => {
      for await (const event of stream) seen.push(event as CompletionEvent)
    },
  )
  return { seen, events, done: result }
}

describe('createEventTransform', () => {
  test.each([
    ['no bytes', []],
    ['only [DONE]', [sse('[DONE]')]],
    ['an HTML page', ['<html><body>502</body></html>']],
  ])(
    'input with no chunk (%s) rejects empty_stream with an empty partial; allowEmpty resolves an empty completion',
    async (_name, pieces) => {
      const rejected = await run(Readable.from(pieces as string[]))
      const error = await rejected.done.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DeltafoldError)
      expect(error).toMatchObject({ code: 'empty_stream', partial: { choices: [] } })
      await expect(rejected.events.finalChatCompletion()).rejects.toBe(error)
      const allowed = await run(Readable.from(pieces as string[]), createEventTransform({ allowEmpty: true }))
      await allowed.done
      expect(allowed.seen.map((event) => event.type)).toEqual(['done'])
      expect((await allowed.events.finalChatCompletion()).choices).toEqual([])
    },
  )

  test.each(recordedFixtures().map(([name, bytes], i) => [name, bytes, i] as const))(
    'over Readable.from random pieces, %s gives the completion of accumulateChatCompletion',
    async (_name, bytes, i) => {
      const expectedEvents: CompletionEvent[] = []
      const expected = await accumulateChatCompletion(bytes, { onEvent: (e) => expectedEvents.push(e) })
      const { seen, events, done } = await run(Readable.from(randomSplit(bytes, random(i + 7))))
      await done
      expect(seen).toEqual(expectedEvents)
      expect(await events.finalChatCompletion()).toEqual(expected)
      expect(events.snapshot()).toEqual(expected)
    },
  )

  test('onEvent receives the same events as the readable side', async () => {
    const received: CompletionEvent[] = []
    const { seen, done } = await run(Readable.from([sse(delta('a', 'stop'))]), createEventTransform({ onEvent: (e) => received.push(e) }))
    await done
    expect(seen).toEqual(received)
  })

  test('an invalid chunk destroys the pipeline with the typed error carrying partial; finalChatCompletion rejects with it', async () => {
    const { readable, probe } = probeReadable([
      sse(delta('ok')),
      sse({ choices: [{ index: 1e9, delta: { content: 'x' } }] }),
      sse(delta('never')),
    ])
    const { events, done } = await run(readable)
    const error = (await done.catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error.code).toBe('invalid_index')
    expect(error.partial?.choices[0]?.message.content).toBe('ok')
    await expect(events.finalChatCompletion()).rejects.toBe(error)
    expect(probe.destroyed).toBe(1)
  })

  test('a parse error upstream reaches finalChatCompletion with the partial of this transform attached', async () => {
    const { events, done } = await run(Readable.from([sse(delta('Hel'), delta('lo')), 'data: {oops}\n\n']))
    const error = (await done.catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 3 })
    expect(error.partial?.choices[0]?.message.content).toBe('Hello')
    await expect(events.finalChatCompletion()).rejects.toBe(error)
  })

  test('a source failing mid-stream rejects with its error, carrying a non-enumerable partial', async () => {
    const cause = new Error('ECONNRESET')
    const { readable } = probeReadable([sse(delta('a')), sse(delta('b'))], { failAt: 2, error: cause })
    const { events, done } = await run(readable)
    expect(await done.catch((e: unknown) => e)).toBe(cause)
    expect(Object.keys(cause)).not.toContain('partial')
    expect((cause as Error & { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('ab')
    await expect(events.finalChatCompletion()).rejects.toBe(cause)
  })

  test('destroy() before the end rejects finalChatCompletion with aborted and the partial', async () => {
    const events = createEventTransform()
    events.write(delta('a'))
    events.resume()
    await tick()
    events.destroy()
    const error = (await events.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'aborted' })
    expect(error.partial?.choices[0]?.message.content).toBe('a')
    expect(events.snapshot().choices[0]?.message.content).toBe('a')
  })

  test('breaking out of the consumer destroys the source once and rejects finalChatCompletion', async () => {
    const { readable, probe } = probeReadable(Array.from({ length: 50 }, (_, i) => sse(delta(String(i % 10)))))
    const events = createEventTransform()
    const done = pipeline(readable, createSSEDecoderTransform(), createChunkTransform(), events, async (stream) => {
      for await (const event of stream) if ((event as CompletionEvent).type === 'content.delta') break
    })
    await done.catch(() => {})
    expect(probe.destroyed).toBe(1)
    await expect(events.finalChatCompletion()).rejects.toBeDefined()
    expect(events.snapshot().choices[0]?.message.content?.startsWith('0')).toBe(true)
  })

  test('highWaterMark: a slow consumer keeps the byte source a bounded distance ahead', async () => {
    // 1 KiB pieces (a comment pads each event): the byte side buffers 16 KiB, so about 16 pieces.
    const { readable, probe } = probeReadable(Array.from({ length: 300 }, (_, i) => `:${'p'.repeat(1000)}\n` + sse(delta(String(i % 10)))))
    const events = createEventTransform({ highWaterMark: 1 })
    readable
      .pipe(createSSEDecoderTransform({ highWaterMark: 1 }))
      .pipe(createChunkTransform({ highWaterMark: 1 }))
      .pipe(events)
    let deltas = 0
    for await (const event of events) {
      if ((event as CompletionEvent).type !== 'content.delta') continue
      deltas++
      await tick()
      // One delta per piece: 16 pieces in the decoder's byte buffer, one or two objects per stage.
      expect(probe.reads - deltas).toBeLessThanOrEqual(17 + 8)
      if (deltas === 100) break
    }
    expect(probe.reads).toBeLessThan(150)
  })
})
