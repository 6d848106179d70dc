import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, streamChatCompletion, type CompletionEvent } from '@deltafold/core'
import { ChatCompletionChunkStream, ChatCompletionEventStream, SSEDecoderStream, fromResponse } from '@deltafold/web'
import { collect, eventStreamResponse, probeStream, random, randomSplit, recordedFixtures } from './helpers.js'

const fixtures = recordedFixtures()

/** What core makes of the bytes: the reference every adapter must match. */
async function reference(bytes: Uint8Array) {
  const events: CompletionEvent[] = []
  for await (const event of streamChatCompletion(bytes)) events.push(event)
  return { completion: await accumulateChatCompletion(bytes), events }
}

test('the project has recorded fixtures to replay', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(30)
})

describe.each(fixtures)('%s', (_name, bytes) => {
  test.each([1, 2, 3])(
    'the TransformStream chain gives the events and completion of accumulateChatCompletion (split seed %i)',
    async (seed) => {
      const expected = await reference(bytes)
      const { stream, probe } = probeStream(randomSplit(bytes, random(seed)))
      const eventStream = new ChatCompletionEventStream()
      const events = await collect(
        stream
          .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
          .pipeThrough(new ChatCompletionChunkStream())
          .pipeThrough(eventStream),
      )
      expect(events).toEqual(expected.events)
      expect(await eventStream.finalChatCompletion()).toEqual(expected.completion)
      expect(eventStream.snapshot()).toEqual(expected.completion)
      expect(probe.cancels).toEqual([])
    },
  )

  test.each([1, 2, 3])('fromResponse gives the events and completion of accumulateChatCompletion (split seed %i)', async (seed) => {
    const expected = await reference(bytes)
    const { stream } = probeStream(randomSplit(bytes, random(seed)))
    const result = fromResponse(eventStreamResponse(stream))
    const events: CompletionEvent[] = []
    for await (const event of result.events) events.push(event)
    expect(events).toEqual(expected.events)
    expect(await result.finalChatCompletion()).toEqual(expected.completion)
    expect(stream.locked).toBe(false)
  })
})
