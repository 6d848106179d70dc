import { describe, expect, test } from 'vitest'
import {
  DeltafoldError,
  ProviderError,
  accumulateChatCompletion,
  createChatCompletionStreamParser,
  hasPartial,
  isDeltafoldError,
  pullChatCompletion,
  streamChatCompletion,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'
import { splitAt } from './helpers.js'

const encoder = new TextEncoder()

function sse(...payloads: Array<object | string>): string {
  return payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('')
}

function delta(content: string, finish: string | null = null): object {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  }
}

type Outcome = { completion?: ChatCompletion; error?: unknown }

/** Every core entry point that takes bytes, fed the same pieces. */
const ENTRY_POINTS: Array<[string, (pieces: Uint8Array[], options?: ChatCompletionStreamOptions) => Promise<Outcome>]> = [
  [
    'createChatCompletionStreamParser',
    async (pieces, options) => {
      const parser = createChatCompletionStreamParser(options)
      try {
        for (const piece of pieces) parser.feed(piece)
        return { completion: parser.end() }
      } catch (error) {
        return { error }
      }
    },
  ],
  [
    'accumulateChatCompletion',
    (pieces, options) =>
      accumulateChatCompletion(pieces, options).then(
        (completion) => ({ completion }),
        (error: unknown) => ({ error }),
      ),
  ],
  [
    'streamChatCompletion (for await)',
    async (pieces, options) => {
      const stream = streamChatCompletion(pieces, options)
      try {
        for await (const _ of stream) {
          // Events are not compared here.
        }
        return { completion: await stream.finalChatCompletion() }
      } catch (error) {
        return { error }
      }
    },
  ],
  [
    'streamChatCompletion (finalChatCompletion)',
    (pieces, options) =>
      streamChatCompletion(pieces, options)
        .finalChatCompletion()
        .then(
          (completion) => ({ completion }),
          (error: unknown) => ({ error }),
        ),
  ],
  [
    'pullChatCompletion',
    async (pieces, options) => {
      const loop = pullChatCompletion(pieces, createChatCompletionStreamParser(options))
      try {
        while (await loop.pull()) {
          // Nothing to do between pieces.
        }
        return { completion: loop.end() }
      } catch (error) {
        return { error: loop.fail(error) }
      }
    },
  ],
  [
    'a Response',
    (pieces, options) =>
      accumulateChatCompletion(
        new Response(new Blob(pieces as BlobPart[]).stream(), { headers: { 'content-type': 'text/event-stream' } }),
        options,
      ).then(
        (completion) => ({ completion }),
        (error: unknown) => ({ error }),
      ),
  ],
]

/** What must be identical for the same bytes on every entry point. */
function facts(error: unknown) {
  const e = error as DeltafoldError<ChatCompletion>
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    eventNumber: e.eventNumber,
    byteOffset: e.byteOffset,
    path: e.path,
    partial: e.partial,
  }
}

const BODIES: Array<[string, string]> = [
  ['a provider error in event 2', sse(delta('Hel'), { error: { message: 'quota exceeded', code: 429 } })],
  ['an error event', sse(delta('Hel')) + 'event: error\ndata: {"error":{"message":"overloaded"}}\n\n'],
  ['invalid JSON in event 3', sse(delta('Hel'), delta('lo')) + 'data: {oops\n\n'],
  ['an invalid index', sse(delta('Hel'), { choices: [{ index: -1, delta: { content: 'x' } }] })],
  ['a JSON error body', '{"error":{"message":"Rate limit","type":"rate_limit"}}'],
  ['plain text', 'hello world\n'],
  ['zero bytes', ''],
  ['only [DONE]', sse('[DONE]')],
  [
    'a complete non-streamed completion',
    JSON.stringify({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    }),
  ],
  ['a normal stream', sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')],
]

describe('one error path: the same bytes give the same result on every core entry point', () => {
  test.each(BODIES)('%s', async (_name, body) => {
    const bytes = encoder.encode(body)
    const splits = [
      [bytes],
      splitAt(bytes, [1, 7, 40, 41]),
      splitAt(
        bytes,
        Array.from({ length: bytes.length }, (_, i) => i),
      ),
    ]
    const reference = await ENTRY_POINTS[0]![1]([bytes])
    for (const [name, run] of ENTRY_POINTS) {
      for (const pieces of splits) {
        const outcome = await run(pieces)
        if (reference.error === undefined) {
          expect(outcome.error, name).toBeUndefined()
          expect(outcome.completion, name).toEqual(reference.completion)
        } else {
          expect(facts(outcome.error), name).toEqual(facts(reference.error))
          expect(Object.getPrototypeOf(outcome.error), name).toBe(Object.getPrototypeOf(reference.error))
        }
      }
    }
  })
})

describe('unreadable responses', () => {
  const body = () => new Response(sse(delta('Hi', 'stop')), { headers: { 'content-type': 'text/event-stream' } })

  test('a Response whose body was already read is body_unreadable on every entry point', async () => {
    const response = body()
    await response.text()
    await expect(accumulateChatCompletion(response)).rejects.toMatchObject({
      code: 'body_unreadable',
      message: expect.stringContaining('already read'),
    })
    await expect(streamChatCompletion(response).finalChatCompletion()).rejects.toMatchObject({ code: 'body_unreadable' })
  })

  test('the same Response accumulated and then streamed fails clearly the second time', async () => {
    const response = body()
    expect((await accumulateChatCompletion(response)).choices[0]!.message.content).toBe('Hi')
    const error = await streamChatCompletion(response)
      .finalChatCompletion()
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'body_unreadable', partial: { choices: [] } })
    expect((error as Error).message).toContain('clone()')
  })

  test('a locked body or stream is body_unreadable', async () => {
    const response = body()
    const reader = response.body!.getReader()
    await expect(accumulateChatCompletion(response)).rejects.toMatchObject({
      code: 'body_unreadable',
      message: expect.stringContaining('locked'),
    })
    reader.releaseLock()
    const stream = new Blob([sse(delta('x'))]).stream()
    stream.getReader()
    await expect(accumulateChatCompletion(stream)).rejects.toMatchObject({ code: 'body_unreadable' })
  })

  test('a 200 text/html page is not_event_stream quoting its head, with the content type', async () => {
    const response = new Response('<html><body>Gateway</body></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } })
    const error = await accumulateChatCompletion(response).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'not_event_stream' })
    expect((error as Error).message).toContain('"<html><body>Gateway</body></html>"')
    expect((error as Error).message).toContain('text/html')
  })

  test('a 200 text/plain body is read as SSE: with events it is a stream, without it is not_event_stream', async () => {
    const plain = { 'content-type': 'text/plain' }
    expect((await accumulateChatCompletion(new Response(sse(delta('Hi')), { headers: plain }))).choices[0]!.message.content).toBe('Hi')
    await expect(accumulateChatCompletion(new Response('Service unavailable\n', { headers: plain }))).rejects.toMatchObject({
      code: 'not_event_stream',
    })
  })

  test('an http_error carries the status, the body and the response headers as a plain object', async () => {
    const response = new Response('{"error":{"message":"slow down"}}', {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '7', 'x-request-id': 'req_1' },
    })
    const error = await accumulateChatCompletion(response).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'http_error', status: 429, headers: { 'retry-after': '7', 'x-request-id': 'req_1' } })
    expect(Object.getPrototypeOf((error as ProviderError).headers)).toBe(Object.prototype)
  })

  test('a provider error inside a streamed Response carries the response headers', async () => {
    const response = new Response(sse(delta('a'), { error: { message: 'boom' } }), {
      headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_2' },
    })
    await expect(accumulateChatCompletion(response)).rejects.toMatchObject({
      code: 'upstream_error',
      eventNumber: 2,
      headers: { 'x-request-id': 'req_2' },
    })
  })
})

/** A body that sends one chunk, then waits until the test aborts. */
function stalling(): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent) return new Promise(() => {})
        sent = true
        controller.enqueue(encoder.encode(sse(delta('Hel'))))
      },
    },
    { highWaterMark: 0 },
  )
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('one abort contract: the rejection always gives the partial completion', () => {
  const reasons: Array<[string, () => unknown, 'same' | 'wrapped']> = [
    ['an Error reason', () => new Error('user left'), 'same'],
    ['a DOMException reason (abort() without argument)', () => undefined, 'same'],
    ['a string reason', () => 'stop', 'wrapped'],
    ['a number reason', () => 42, 'wrapped'],
    ['a frozen object reason', () => Object.freeze({ why: 'frozen' }), 'wrapped'],
  ]

  test.each(reasons)('signal with %s', async (_name, make, shape) => {
    for (const entry of ['accumulate', 'stream'] as const) {
      const controller = new AbortController()
      const source = stalling()
      const pending =
        entry === 'accumulate'
          ? accumulateChatCompletion(source, { signal: controller.signal })
          : (async () => {
              for await (const _ of streamChatCompletion(source, { signal: controller.signal })) {
                // Reading until the abort.
              }
            })()
      await tick()
      const reason = make()
      controller.abort(reason)
      const error = await pending.then(
        () => undefined,
        (e: unknown) => e,
      )
      if (shape === 'same') {
        expect(error).toBe(controller.signal.reason)
      } else {
        expect(isDeltafoldError(error)).toBe(true)
        expect(error).toMatchObject({ code: 'aborted', cause: reason, eventNumber: 1 })
      }
      expect(hasPartial(error)).toBe(true)
      if (hasPartial(error)) expect(error.partial.choices[0]?.message.content).toBe('Hel')
    }
  })

  test('isDeltafoldError and hasPartial narrow partial to a ChatCompletion (checked by tsc on this file)', () => {
    const error: unknown = new DeltafoldError('aborted', 'x', {
      partial: { id: '', object: 'chat.completion', created: 0, model: '', choices: [] },
    })
    if (isDeltafoldError(error)) {
      const partial: ChatCompletion | undefined = error.partial
      expect(partial?.choices).toEqual([])
    }
    if (hasPartial(error)) {
      const partial: ChatCompletion = error.partial
      expect(partial.object).toBe('chat.completion')
    }
    expect(hasPartial(new Error('x'))).toBe(false)
    expect(hasPartial({ partial: 'text' })).toBe(false)
  })

  test('break out of for await: finalChatCompletion rejects aborted with the partial and position', async () => {
    const stream = streamChatCompletion([sse(delta('Hel')), sse(delta('lo')), sse(delta('!'))])
    for await (const event of stream) if (event.type === 'content.delta') break
    const error = await stream.finalChatCompletion().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'aborted', eventNumber: 1, byteOffset: sse(delta('Hel')).length })
    if (isDeltafoldError(error)) expect(error.partial?.choices[0]?.message.content).toBe('Hel')
  })

  test("an AbortError from fetch's own signal (the body read rejects) is aborted with it as cause", async () => {
    const abortError = new DOMException('This operation was aborted', 'AbortError')
    let pulls = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(encoder.encode(sse(delta('Hel'))))
        else controller.error(abortError)
      },
    })
    const error = await accumulateChatCompletion(body).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'aborted', cause: abortError, eventNumber: 1, byteOffset: sse(delta('Hel')).length })
    expect((error as Error).message).toContain('(after event 1, byte')
    if (isDeltafoldError(error)) expect(error.partial?.choices[0]?.message.content).toBe('Hel')
  })
})

describe('chunk-object sources (what an SDK that parsed the SSE yields)', () => {
  const chunks = [delta('Hel'), delta('lo', 'stop'), { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }]

  test.each([
    ['an array', () => chunks],
    [
      'an async generator (like openai.Stream)',
      () =>
        (async function* () {
          yield* chunks
        })(),
    ],
    [
      'a ReadableStream of objects',
      () =>
        new ReadableStream<object>({
          start: (c) => {
            for (const x of chunks) c.enqueue(x)
            c.close()
          },
        }),
    ],
  ])('%s folds to the same completion and events as the bytes', async (_name, make) => {
    const fromBytes: CompletionEvent[] = []
    const expected = await accumulateChatCompletion(sse(...chunks), { onEvent: (e) => fromBytes.push(e) })
    const fromObjects: CompletionEvent[] = []
    expect(await accumulateChatCompletion(make(), { onEvent: (e) => fromObjects.push(e) })).toEqual(expected)
    expect(fromObjects).toEqual(fromBytes)
    const streamed: CompletionEvent[] = []
    for await (const event of streamChatCompletion(make())) streamed.push(event)
    expect(streamed).toEqual(fromBytes)
  })

  test('limits, provider errors and bad items are the same typed errors, numbered by chunk', async () => {
    await expect(accumulateChatCompletion([delta('x'), { choices: [{ index: 500, delta: {} }] }])).rejects.toMatchObject({
      code: 'invalid_index',
      eventNumber: 2,
    })
    await expect(accumulateChatCompletion([delta('xyz')], { limits: { maxBytes: 1 } })).rejects.toMatchObject({
      code: 'limit_exceeded',
      eventNumber: 1,
    })
    const error = await accumulateChatCompletion([delta('Hel'), { error: { message: 'quota' } }]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', eventNumber: 2, partial: { choices: [{ message: { content: 'Hel' } }] } })
    await expect(accumulateChatCompletion([delta('x'), null] as never)).rejects.toMatchObject({ code: 'invalid_chunk', eventNumber: 2 })
    await expect(accumulateChatCompletion([delta('x'), 'data: {}\n\n'] as never)).rejects.toMatchObject({
      code: 'invalid_chunk',
      eventNumber: 2,
    })
  })

  test('an empty object source is empty_stream unless allowEmpty', async () => {
    async function* none(): AsyncGenerator<object> {}
    await expect(accumulateChatCompletion(none())).rejects.toMatchObject({ code: 'empty_stream' })
    expect((await accumulateChatCompletion(none(), { allowEmpty: true })).choices).toEqual([])
  })
})
