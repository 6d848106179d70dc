import { describe, expect, test } from 'vitest'
import {
  DeltafoldError,
  ProviderError,
  accumulateChatCompletion,
  createChatCompletionAccumulator,
  createChunkStage,
  createFinalCompletion,
  createSSEDecoderStage,
  eventPositionOf,
  locateError,
  type ChatCompletionChunk,
  type ServerSentEvent,
} from '@deltafold/core'

const chunk = (content: string) => JSON.stringify({ choices: [{ index: 0, delta: { content } }] })

describe('createSSEDecoderStage', () => {
  test("records each event's number and byte offset, the ones core's parser reports", () => {
    const events: ServerSentEvent[] = []
    const decoder = createSSEDecoderStage((event) => events.push(event))
    decoder.feed(new TextEncoder().encode('data: a\n\n: ping\ndata: é\n\n'))
    decoder.end()
    expect(events.map((e) => e.data)).toEqual(['a', 'é'])
    expect(events.map(eventPositionOf)).toEqual([
      { eventNumber: 1, byteOffset: 8 },
      { eventNumber: 2, byteOffset: 25 },
    ])
  })

  test('passes maxEventBytes, dispatchUnterminated, onComment and onRetry to the decoder', () => {
    const seen: string[] = []
    const decoder = createSSEDecoderStage((event) => seen.push(event.data), {
      dispatchUnterminated: true,
      onComment: (text) => seen.push(`comment ${text}`),
      onRetry: (ms) => seen.push(`retry ${ms}`),
    })
    decoder.feed(': hi\nretry: 5\ndata: last')
    decoder.end()
    expect(seen).toEqual(['comment hi', 'retry 5', 'last'])
    const small = createSSEDecoderStage(() => {}, { maxEventBytes: 8 })
    expect(() => small.feed('data: 0123456789\n\n')).toThrow(expect.objectContaining({ code: 'event_too_large' }))
  })
})

describe('createChunkStage', () => {
  test('passes chunks on, skips empty data and null, ignores everything after [DONE]', () => {
    const stage = createChunkStage()
    const out: ChatCompletionChunk[] = []
    const emit = (c: ChatCompletionChunk) => out.push(c)
    for (const data of [chunk('a'), '', 'null', '[DONE]', chunk('after')]) stage.push({ type: 'message', data, lastEventId: '' }, emit)
    expect(out).toEqual([JSON.parse(chunk('a'))])
    expect(stage.sawDone).toBe(true)
  })

  test("errors name the position the SSE stage recorded, as core's parser does", async () => {
    const body = `data: ${chunk('Hi')}\n\ndata: {oops\n\n`
    const stage = createChunkStage()
    let error: unknown
    const decoder = createSSEDecoderStage((event) => {
      try {
        stage.push(event, () => {})
      } catch (e) {
        error ??= e
      }
    })
    decoder.feed(body)
    const reference = (await accumulateChatCompletion(body).catch((e: unknown) => e)) as DeltafoldError
    expect(error).toMatchObject({
      code: 'invalid_json',
      eventNumber: reference.eventNumber,
      byteOffset: reference.byteOffset,
      message: reference.message,
    })
  })

  test('without recorded positions, counts the events it received and reports no byte offset', () => {
    const stage = createChunkStage()
    stage.push({ type: 'message', data: chunk('a'), lastEventId: '' }, () => {})
    expect(() => stage.push({ type: 'message', data: '[1]', lastEventId: '' }, () => {})).toThrow(
      expect.objectContaining({ code: 'invalid_chunk', eventNumber: 2, byteOffset: undefined }),
    )
  })

  test('a chunk carrying an error beside choices goes downstream first, then the ProviderError is thrown', () => {
    const stage = createChunkStage()
    const out: unknown[] = []
    const data = JSON.stringify({ choices: [{ index: 0, delta: { content: '!' } }], error: { message: 'died' } })
    expect(() => stage.push({ type: 'message', data, lastEventId: '' }, (c) => out.push(c))).toThrow(ProviderError)
    expect(out).toHaveLength(1)
    expect(eventPositionOf(out[0] as object)).toEqual({ eventNumber: 1 })
  })
})

describe('locateError', () => {
  test("adds the event number, byte offset and data in core's words, once", () => {
    const error = new DeltafoldError('invalid_index', 'Bad index')
    locateError(error, { eventNumber: 2, byteOffset: 237 }, '{}')
    locateError(error, { eventNumber: 9, byteOffset: 999 })
    expect(error).toMatchObject({ message: 'Bad index (event 2, byte 237)', eventNumber: 2, byteOffset: 237, data: '{}' })
  })

  test('leaves foreign errors untouched', () => {
    const error = new Error('x')
    expect(locateError(error, { eventNumber: 1 })).toBe(error)
    expect(error.message).toBe('x')
  })
})

describe('createFinalCompletion', () => {
  test('settles once: the first failure wins and carries partial; later calls change nothing', async () => {
    const accumulator = createChatCompletionAccumulator()
    accumulator.push({ choices: [{ index: 0, delta: { content: 'Hi' } }] } as ChatCompletionChunk)
    const final = createFinalCompletion(accumulator.snapshot)
    const first = new DeltafoldError('invalid_json', 'first')
    expect(final.fail(first)).toBe(first)
    final.fail(new DeltafoldError('invalid_json', 'second'))
    final.resolve(accumulator.finish())
    await expect(final.promise).rejects.toBe(first)
    expect((first.partial as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('Hi')
    expect(final.settled).toBe(true)
  })

  test('abort rejects with aborted, the cause and the completion so far; its rejection needs no handler', async () => {
    const accumulator = createChatCompletionAccumulator()
    const final = createFinalCompletion(accumulator.snapshot)
    final.abort('The consumer went away', 'closed')
    const error = (await final.promise.catch((e: unknown) => e)) as DeltafoldError
    expect(error).toMatchObject({ code: 'aborted', message: 'The consumer went away', cause: 'closed' })
    expect(error.partial).toEqual(accumulator.snapshot())
  })
})
