import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import type { ServerSentEvent } from '@deltafold/core'
import { createSSEDecoderTransform } from '@deltafold/node'
import { probeReadable, tick } from './helpers.js'

async function decode(source: Readable, options?: Parameters<typeof createSSEDecoderTransform>[0]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = []
  await pipeline(source, createSSEDecoderTransform(options), async (stream) => {
    for await (const event of stream) events.push(event as ServerSentEvent)
  })
  return events
}

describe('createSSEDecoderTransform', () => {
  test('decodes events from Buffers split at every byte, inside UTF-8 sequences too', async () => {
    const bytes = Buffer.from('event: greet\nid: 7\ndata: h€llo\ndata: 🌍\n\ndata: second\r\n\r\n')
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
    expect(await decode(Readable.from(pieces))).toEqual([
      { type: 'greet', data: 'h€llo\n🌍', lastEventId: '7' },
      { type: 'message', data: 'second', lastEventId: '7' },
    ])
  })

  test('accepts string chunks', async () => {
    expect(await decode(Readable.from(['data: a', '\n\n'], { objectMode: false }))).toEqual([
      { type: 'message', data: 'a', lastEventId: '' },
    ])
  })

  test('onComment and onRetry receive comments and retry fields', async () => {
    const comments: string[] = []
    const retries: number[] = []
    const events = await decode(Readable.from([': keep-alive\nretry: 3000\ndata: x\n\n']), {
      onComment: (text) => comments.push(text),
      onRetry: (ms) => retries.push(ms),
    })
    expect(events.map((e) => e.data)).toEqual(['x'])
    expect(comments).toEqual(['keep-alive'])
    expect(retries).toEqual([3000])
  })

  test('dispatchUnterminated: only with it is the event the stream ends inside dispatched', async () => {
    expect((await decode(Readable.from(['data: a\n\ndata: tail']))).map((e) => e.data)).toEqual(['a'])
    expect((await decode(Readable.from(['data: a\n\ndata: tail']), { dispatchUnterminated: true })).map((e) => e.data)).toEqual([
      'a',
      'tail',
    ])
  })

  test('maxEventBytes: destroys the pipeline with event_too_large and destroys the source once', async () => {
    const { readable, probe } = probeReadable(['data: ', 'x'.repeat(100), 'x'.repeat(100), '\n\n'])
    await expect(decode(readable, { maxEventBytes: 150 })).rejects.toMatchObject({ name: 'DeltafoldError', code: 'event_too_large' })
    expect(probe.destroyed).toBe(1)
  })

  test('highWaterMark: a slow consumer keeps the source at most a few chunks ahead', async () => {
    // 1 KiB pieces (a comment pads each event): the writable side buffers 16 KiB, so about 16 pieces.
    const { readable, probe } = probeReadable(Array.from({ length: 200 }, (_, i) => `:${'p'.repeat(1000)}\ndata: ${i}\n\n`))
    const transform = createSSEDecoderTransform({ highWaterMark: 2 })
    readable.pipe(transform)
    let consumed = 0
    for await (const _ of transform) {
      consumed++
      await tick()
      // One event per piece: 2 buffered events, 16 pieces in the writable buffer, one in pipe().
      expect(probe.reads).toBeLessThanOrEqual(consumed + 2 + 17 + 2)
      if (consumed === 50) break
    }
    expect(probe.reads).toBeLessThan(80)
  })
})
