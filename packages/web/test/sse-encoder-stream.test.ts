import { describe, expect, expectTypeOf, test } from 'vitest'
import {
  accumulateChatCompletion,
  createSSEDecoder,
  isDeltafoldError,
  splitChatCompletion,
  type ChatCompletion,
  type ServerSentEvent,
  type SSEEventInit,
} from '@deltafold/core'
import { SSEEncoderStream } from '@deltafold/web'

/** A ReadableStream over `items`, one chunk each. */
function streamOf<T>(items: readonly T[]): ReadableStream<T> {
  let i = 0
  return new ReadableStream<T>({
    pull(controller) {
      if (i < items.length) controller.enqueue(items[i++]!)
      else controller.close()
    },
  })
}

/** Reads a stream to the end; rejects with its error. */
async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return out
    out.push(value)
  }
}

function decodeText(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = []
  const decoder = createSSEDecoder({ onEvent: (e) => events.push(e) })
  decoder.feed(text)
  decoder.end()
  return events
}

const events: SSEEventInit[] = [
  { data: 'hello' },
  { data: ' leading space\r\nand CRLF', type: 'update', id: '2' },
  { data: '😀 €', comment: 'two\nlines', retry: 1500 },
]

describe('SSEEncoderStream', () => {
  test('writes one event per chunk, as text by default', async () => {
    const out = await readAll(streamOf(events).pipeThrough(new SSEEncoderStream()))
    expect(out).toEqual([
      'data: hello\n\n',
      'event: update\nid: 2\ndata:  leading space\ndata: and CRLF\n\n',
      ': two\n: lines\nretry: 1500\ndata: 😀 €\n\n',
    ])
  })

  test('output bytes: writes UTF-8 Uint8Arrays that decode back to the events', async () => {
    const out = await readAll(streamOf(events).pipeThrough(new SSEEncoderStream({ output: 'bytes' })))
    expect(out.every((chunk) => chunk instanceof Uint8Array)).toBe(true)
    const text = out.map((chunk) => new TextDecoder().decode(chunk)).join('')
    expect(decodeText(text)).toEqual([
      { type: 'message', data: 'hello', lastEventId: '' },
      { type: 'update', data: ' leading space\nand CRLF', lastEventId: '2' },
      { type: 'message', data: '😀 €', lastEventId: '2' },
    ])
  })

  test('errors both sides with an invalid_event DeltafoldError for an event it cannot write', async () => {
    const stream = streamOf<SSEEventInit>([{ data: 'ok' }, { data: 'x', id: 'a\nb' }]).pipeThrough(new SSEEncoderStream())
    const error = await readAll(stream).catch((e: unknown) => e)
    expect(isDeltafoldError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_event', path: '$.id' })
  })

  test('types its output by the option: string by default, Uint8Array for bytes', () => {
    expectTypeOf(new SSEEncoderStream().readable).toEqualTypeOf<ReadableStream<string>>()
    expectTypeOf(new SSEEncoderStream({ output: 'text' }).readable).toEqualTypeOf<ReadableStream<string>>()
    expectTypeOf(new SSEEncoderStream({ output: 'bytes' }).readable).toEqualTypeOf<ReadableStream<Uint8Array>>()
  })

  test('throws TypeError for an unknown output option', () => {
    expect(() => new SSEEncoderStream({ output: 'json' as 'text' })).toThrow(TypeError)
  })

  test('serves a completion as a body that accumulateChatCompletion reads back', async () => {
    const completion = {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi\nthere', refusal: null }, finish_reason: 'stop', logprobs: null }],
    } as ChatCompletion
    const body = streamOf([
      ...splitChatCompletion(completion).map((chunk) => ({ data: JSON.stringify(chunk) })),
      { data: '[DONE]' },
    ]).pipeThrough(new SSEEncoderStream({ output: 'bytes' }))
    expect(await accumulateChatCompletion(new Response(body, { headers: { 'content-type': 'text/event-stream' } }))).toEqual(completion)
  })

  test('runs its TSDoc example', async () => {
    const events = new ReadableStream<SSEEventInit>({
      start(controller) {
        controller.enqueue({ data: 'hello' })
        controller.enqueue({ data: '{"n":1}', type: 'update', id: '2' })
        controller.close()
      },
    })
    const body = events.pipeThrough(new SSEEncoderStream({ output: 'bytes' }))
    const text = await new Response(body, { headers: { 'content-type': 'text/event-stream' } }).text()
    expect(text).toBe('data: hello\n\nevent: update\nid: 2\ndata: {"n":1}\n\n')
  })
})
