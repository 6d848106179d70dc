import { describe, expect, test } from 'vitest'
import type { ServerSentEvent } from '@deltafold/core'
import { SSEDecoderStream } from '@deltafold/web'
import { collect, probeStream, tick } from './helpers.js'

const encoder = new TextEncoder()

function decode(pieces: Array<string | Uint8Array>, options?: ConstructorParameters<typeof SSEDecoderStream>[0]) {
  const { stream, probe } = probeStream(pieces)
  return { events: collect(stream.pipeThrough(new SSEDecoderStream(options))), probe, stream }
}

describe('SSEDecoderStream', () => {
  test('decodes events from bytes split at every byte, inside UTF-8 sequences too', async () => {
    const bytes = encoder.encode('event: greet\nid: 7\ndata: h€llo\ndata: 🌍\n\ndata: second\r\n\r\n')
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
    expect(await decode(pieces).events).toEqual([
      { type: 'greet', data: 'h€llo\n🌍', lastEventId: '7' },
      { type: 'message', data: 'second', lastEventId: '7' },
    ])
  })

  test('accepts string chunks', async () => {
    const stream = new ReadableStream<string>({
      start(c) {
        c.enqueue('data: a')
        c.enqueue('\n\n')
        c.close()
      },
    })
    expect(await collect(stream.pipeThrough(new SSEDecoderStream()))).toEqual([{ type: 'message', data: 'a', lastEventId: '' }])
  })

  test('onComment and onRetry receive comments and retry fields; neither is an event', async () => {
    const comments: string[] = []
    const retries: number[] = []
    const { events } = decode([': keep-alive\nretry: 3000\ndata: x\n\n'], {
      onComment: (text) => comments.push(text),
      onRetry: (ms) => retries.push(ms),
    })
    expect(await events).toEqual([{ type: 'message', data: 'x', lastEventId: '' }])
    expect(comments).toEqual(['keep-alive'])
    expect(retries).toEqual([3000])
  })

  test('dispatchUnterminated: false (default) drops an event the stream ends inside, as WHATWG says', async () => {
    expect(await decode(['data: a\n\ndata: tail']).events).toEqual([{ type: 'message', data: 'a', lastEventId: '' }])
  })

  test('dispatchUnterminated: true dispatches the event the stream ends inside', async () => {
    const { events } = decode(['data: a\n\ndata: tail'], { dispatchUnterminated: true })
    expect((await events).map((e: ServerSentEvent) => e.data)).toEqual(['a', 'tail'])
  })

  test('maxEventBytes: errors the stream with event_too_large and cancels the source once', async () => {
    const { events, probe, stream } = decode(['data: ', 'x'.repeat(100), 'x'.repeat(100), '\n\n'], { maxEventBytes: 150 })
    await expect(events).rejects.toMatchObject({ code: 'event_too_large', eventNumber: 1 })
    await tick()
    expect(probe.cancels).toHaveLength(1)
    expect(probe.cancels[0]).toMatchObject({ code: 'event_too_large' })
    expect(stream.locked).toBe(false)
  })

  test('reads the source only as fast as events are consumed', async () => {
    const pieces = Array.from({ length: 100 }, (_, i) => `data: ${i}\n\n`)
    const { stream, probe } = probeStream(pieces)
    const reader = stream.pipeThrough(new SSEDecoderStream()).getReader()
    for (let read = 1; read <= 20; read++) {
      await reader.read()
      await tick()
      // One piece per event; the pipe and the transform's queues hold a few more at most.
      expect(probe.pulls).toBeLessThanOrEqual(read + 3)
    }
    await reader.cancel()
  })
})
