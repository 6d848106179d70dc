import { PassThrough, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, isDeltafoldError, splitChatCompletion, type ChatCompletion, type SSEEventInit } from '@deltafold/core'
import { createSSEEncoderTransform } from '@deltafold/node'

/** Pipes `events` through a fresh encoder transform; resolves with every Buffer it wrote. */
async function encode(events: readonly SSEEventInit[]): Promise<Buffer[]> {
  const out: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk)
      callback()
    },
  })
  await pipeline(Readable.from(events), createSSEEncoderTransform(), sink)
  return out
}

describe('createSSEEncoderTransform', () => {
  test('writes the UTF-8 bytes of one event per object written', async () => {
    const out = await encode([{ data: 'hello' }, { data: 'a\nb €', id: '2', type: 'x' }])
    expect(out.every((chunk) => Buffer.isBuffer(chunk))).toBe(true)
    expect(out.map((chunk) => chunk.toString('utf8'))).toEqual(['data: hello\n\n', 'event: x\nid: 2\ndata: a\ndata: b €\n\n'])
  })

  test('destroys the stream with an invalid_event DeltafoldError for an event it cannot write', async () => {
    const error = await encode([{ data: 'ok' }, { data: 'x', retry: -5 }]).catch((e: unknown) => e)
    expect(isDeltafoldError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_event', path: '$.retry' })
  })

  test('destroys the stream with a TypeError for a write that is not an event', async () => {
    const error = await encode([{ data: 5 } as unknown as SSEEventInit]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
  })

  test('honours backpressure: with nobody reading, write() returns false once both buffers fill', () => {
    // The readable side holds 16 KiB of bytes, then the writable side `highWaterMark` events.
    const transform = createSSEEncoderTransform({ highWaterMark: 2 })
    let accepted = 0
    while (accepted < 100 && transform.write({ data: 'x'.repeat(4096) })) accepted++
    expect(accepted).toBeLessThan(10)
    transform.destroy()
  })

  test('serves a completion that accumulateChatCompletion reads back', async () => {
    const completion = {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi 😀', refusal: null }, finish_reason: 'stop', logprobs: null }],
    } as ChatCompletion
    const events = [
      ...splitChatCompletion(completion, { fragmentSize: 1 }).map((chunk) => ({ data: JSON.stringify(chunk) })),
      { data: '[DONE]' },
    ]
    const body = new PassThrough()
    const done = pipeline(Readable.from(events), createSSEEncoderTransform(), body)
    expect(await accumulateChatCompletion(body)).toEqual(completion)
    await done
  })

  test('runs its TSDoc example', async () => {
    const chunks: string[] = []
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString())
        callback()
      },
    })
    await pipeline(Readable.from([{ data: 'hello' }, { data: 'a\nb', id: '2' }]), createSSEEncoderTransform(), stdout)
    expect(chunks.join('')).toBe('data: hello\n\nid: 2\ndata: a\ndata: b\n\n')
  })
})
