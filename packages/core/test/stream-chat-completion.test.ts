import { getEventListeners } from 'node:events'
import { describe, expect, test } from 'vitest'
import {
  DeltafoldError,
  ProviderError,
  accumulateChatCompletion,
  checkResponse,
  openSource,
  streamChatCompletion,
  type ChatCompletion,
  type CompletionEvent,
} from '@deltafold/core'

/** `data: <json>\n\n` for each chunk: a minimal SSE encoder for test input. */
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

const encoder = new TextEncoder()
const HELLO = sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')

interface Probe {
  pulls: number
  cancels: unknown[]
}

/**
 * A ReadableStream over `pieces` (strings are encoded) that counts pulls and cancels. `stallAt`:
 * the pull with that index never settles (a silent network); `failAt`: that pull errors the stream.
 */
function probeStream(pieces: string[], opts: { stallAt?: number; failAt?: number; error?: unknown } = {}) {
  const probe: Probe = { pulls: 0, cancels: [] }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const i = probe.pulls++
        if (i === opts.stallAt) return new Promise(() => {})
        if (i === opts.failAt) return controller.error(opts.error ?? new Error('connection reset'))
        if (i >= pieces.length) return controller.close()
        controller.enqueue(encoder.encode(pieces[i]!))
      },
      cancel(reason) {
        probe.cancels.push(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, probe }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

async function content(completion: Promise<ChatCompletion>): Promise<string | null | undefined> {
  return (await completion).choices[0]?.message.content
}

describe('accumulateChatCompletion inputs', () => {
  const bytes = encoder.encode(HELLO)
  test.each([
    ['a string', () => HELLO],
    ['a Uint8Array', () => bytes],
    ['an array of strings', () => [HELLO.slice(0, 7), HELLO.slice(7)]],
    ['an array of byte pieces', () => [bytes.subarray(0, 5), bytes.subarray(5)]],
    [
      'an async iterable',
      () =>
        (async function* () {
          yield HELLO.slice(0, 30)
          yield HELLO.slice(30)
        })(),
    ],
    ['a ReadableStream', () => probeStream([HELLO]).stream],
    ['a Response', () => new Response(HELLO, { headers: { 'content-type': 'text/event-stream' } })],
    ['a Response without a content type', () => new Response(HELLO)],
  ])('reads %s', async (_name, make) => {
    expect(await content(accumulateChatCompletion(make()))).toBe('Hello')
  })

  test('a Response with a null body is empty_stream, or an empty completion with allowEmpty', async () => {
    await expect(accumulateChatCompletion(new Response(null, { status: 200 }))).rejects.toMatchObject({ code: 'empty_stream' })
    const completion = await accumulateChatCompletion(new Response(null, { status: 200 }), { allowEmpty: true })
    expect(completion.choices).toEqual([])
  })

  test('rejects an unsupported source with a TypeError saying what to pass', async () => {
    await expect(accumulateChatCompletion(42 as never)).rejects.toThrow(/pass response.body or the response itself/)
  })
})

describe('Response status checks', () => {
  test('a 429 JSON error becomes a ProviderError http_error with the body and status', async () => {
    const response = new Response('{"error":{"message":"Rate limit reached","type":"requests"}}', {
      status: 429,
      headers: { 'content-type': 'application/json' },
    })
    const error = await accumulateChatCompletion(response).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'http_error', status: 429, error: { error: { message: 'Rate limit reached', type: 'requests' } } })
    expect((error as Error).message).toBe('The provider answered with HTTP 429: Rate limit reached')
  })

  test('a 200 application/json error body is a ProviderError upstream_error with the response headers', async () => {
    const response = new Response('{"error":{"message":"stream must be true"}}', {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_9' },
    })
    const error = await accumulateChatCompletion(response).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', error: { message: 'stream must be true' }, headers: { 'x-request-id': 'req_9' } })
  })

  test('a 500 with a text body keeps the text as the error', async () => {
    const response = new Response('upstream timeout', { status: 502, headers: { 'content-type': 'text/plain' } })
    await expect(accumulateChatCompletion(response)).rejects.toMatchObject({ code: 'http_error', status: 502, error: 'upstream timeout' })
  })

  test('reads at most 64 KiB of an error body and cancels the rest', async () => {
    const piece = 'x'.repeat(16 * 1024)
    const { stream, probe } = probeStream(Array.from({ length: 100 }, () => piece))
    const response = new Response(stream, { status: 500 })
    const error = (await checkResponse(response).catch((e: unknown) => e)) as ProviderError
    expect(error.code).toBe('http_error')
    expect((error.error as string).length).toBe(64 * 1024)
    expect(probe.pulls).toBeLessThanOrEqual(5)
    expect(probe.cancels).toHaveLength(1)
    expect(stream.locked).toBe(false)
  })

  test('checkResponse accepts a response-like object', async () => {
    const like = { ok: false, status: 401, headers: new Headers(), text: async () => 'no key' }
    await expect(checkResponse(like)).rejects.toMatchObject({ code: 'http_error', status: 401, error: 'no key' })
  })

  test('signal: aborting while an error body stalls rejects with the reason', async () => {
    const { stream, probe } = probeStream(['{"error":'], { stallAt: 1 })
    const controller = new AbortController()
    const pending = checkResponse(new Response(stream, { status: 500 }), controller.signal)
    await tick()
    const reason = new Error('user gave up')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(probe.cancels).toEqual([reason])
    expect(stream.locked).toBe(false)
  })
})

describe('cancellation', () => {
  test('[DONE] cancels the upstream exactly once and releases the lock', async () => {
    const { stream, probe } = probeStream([sse(delta('Hi', 'stop')), sse('[DONE]'), sse(delta(' ignored')), 'never read'])
    expect(await content(accumulateChatCompletion(stream))).toBe('Hi')
    expect(probe.cancels).toEqual([undefined])
    expect(probe.pulls).toBe(2)
    expect(stream.locked).toBe(false)
  })

  test('[DONE] calls return() on an iterator source exactly once', async () => {
    let returns = 0
    let reads = 0
    const source = {
      [Symbol.iterator]() {
        const pieces = [sse(delta('Hi')), sse('[DONE]'), 'garbage']
        return {
          next: () =>
            reads < pieces.length ? { done: false as const, value: pieces[reads++]! } : { done: true as const, value: undefined },
          return: () => {
            returns++
            return { done: true as const, value: undefined }
          },
        }
      },
    }
    expect(await content(accumulateChatCompletion(source))).toBe('Hi')
    expect(returns).toBe(1)
    expect(reads).toBe(2)
  })

  test('[DONE] runs the finally block of an async generator source', async () => {
    const log: string[] = []
    async function* body() {
      try {
        yield sse(delta('Hi'), '[DONE]')
        yield 'never read'
      } finally {
        log.push('finally')
      }
    }
    expect(await content(accumulateChatCompletion(body()))).toBe('Hi')
    expect(log).toEqual(['finally'])
  })

  test('a normal end releases the lock without cancelling', async () => {
    const { stream, probe } = probeStream([sse(delta('Hi', 'stop'))])
    await accumulateChatCompletion(stream)
    expect(probe.cancels).toEqual([])
    expect(stream.locked).toBe(false)
  })

  test('breaking out of for await cancels the upstream once, releases the lock and rejects finalChatCompletion', async () => {
    const { stream, probe } = probeStream([sse(delta('a')), sse(delta('b')), sse(delta('c')), sse(delta('d'))])
    const events = streamChatCompletion(stream)
    for await (const event of events) if (event.type === 'content.delta') break
    expect(probe.cancels).toHaveLength(1)
    expect(probe.cancels[0]).toMatchObject({ code: 'aborted' })
    expect(stream.locked).toBe(false)
    const error = (await events.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'aborted' })
    expect(error.partial?.choices[0]?.message.content).toBe('a')
    expect(probe.pulls).toBe(1)
  })

  test('an error thrown in the loop body cancels the upstream once', async () => {
    const { stream, probe } = probeStream([sse(delta('a')), sse(delta('b'))])
    const boom = new Error('consumer bug')
    await expect(
      (async () => {
        for await (const _ of streamChatCompletion(stream)) throw boom
      })(),
    ).rejects.toBe(boom)
    expect(probe.cancels).toHaveLength(1)
    expect(stream.locked).toBe(false)
  })

  /** A stream whose cancel() never settles: a buggy source must not hang the pipeline or keep it locked. */
  function stuckCancelStream(pieces: string[], stallAt?: number) {
    let cancels = 0
    let pulls = 0
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulls === stallAt) return new Promise(() => {})
          if (pulls >= pieces.length) return controller.close()
          controller.enqueue(encoder.encode(pieces[pulls++]!))
        },
        cancel() {
          cancels++
          return new Promise(() => {})
        },
      },
      { highWaterMark: 0 },
    )
    return { stream, cancels: () => cancels }
  }

  test('[DONE] settles and unlocks even when the source never finishes cancelling', async () => {
    const { stream, cancels } = stuckCancelStream([sse(delta('Hi'), '[DONE]'), 'more'])
    expect(await content(accumulateChatCompletion(stream))).toBe('Hi')
    expect(cancels()).toBe(1)
    expect(stream.locked).toBe(false)
  })

  test('signal: aborting settles and unlocks even when the source never finishes cancelling', async () => {
    const { stream, cancels } = stuckCancelStream([sse(delta('Hi'))], 1)
    const controller = new AbortController()
    const pending = accumulateChatCompletion(stream, { signal: controller.signal })
    await tick()
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    expect(cancels()).toBe(1)
    expect(stream.locked).toBe(false)
  })

  test('break settles and unlocks even when the source never finishes cancelling', async () => {
    const { stream, cancels } = stuckCancelStream([sse(delta('a')), sse(delta('b'))])
    for await (const _ of streamChatCompletion(stream)) break
    expect(cancels()).toBe(1)
    expect(stream.locked).toBe(false)
  })

  test('iterating a stream twice is a TypeError', () => {
    const events = streamChatCompletion(HELLO)
    events[Symbol.asyncIterator]()
    expect(() => events[Symbol.asyncIterator]()).toThrow(TypeError)
  })
})

describe('abort', () => {
  test('signal: a stalled read rejects at once with signal.reason, cancels once and keeps the partial', async () => {
    const { stream, probe } = probeStream([sse(delta('Hel')), sse(delta('lo'))], { stallAt: 2 })
    const controller = new AbortController()
    const pending = accumulateChatCompletion(stream, { signal: controller.signal })
    while (probe.pulls < 3) await tick()
    const reason = new Error('user pressed stop')
    controller.abort(reason)
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBe(reason)
    expect(Object.keys(error as object)).not.toContain('partial')
    expect((error as { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('Hello')
    expect(probe.cancels).toEqual([reason])
    expect(stream.locked).toBe(false)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  test('signal: the default AbortError reason passes through as it is', async () => {
    const { stream } = probeStream([sse(delta('x'))], { stallAt: 1 })
    const controller = new AbortController()
    const pending = accumulateChatCompletion(stream, { signal: controller.signal })
    await tick()
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })

  test('signal: a primitive reason is wrapped in an aborted error carrying it as cause and the partial', async () => {
    const { stream } = probeStream([sse(delta('x'))], { stallAt: 1 })
    const controller = new AbortController()
    const pending = accumulateChatCompletion(stream, { signal: controller.signal })
    await tick()
    controller.abort('stop')
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'aborted', cause: 'stop', eventNumber: 1, byteOffset: sse(delta('x')).length })
    expect((error as DeltafoldError<ChatCompletion>).partial?.choices[0]?.message.content).toBe('x')
  })

  test('signal: an already aborted signal rejects without reading', async () => {
    const { stream, probe } = probeStream([HELLO])
    const reason = new Error('too late')
    await expect(accumulateChatCompletion(stream, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(probe.pulls).toBe(0)
  })

  test('signal: aborting while an async generator source is stuck rejects at once', async () => {
    let finalized = false
    let release!: () => void
    async function* body() {
      try {
        yield sse(delta('a'))
        await new Promise<void>((resolve) => (release = resolve))
        yield sse(delta('b'))
      } finally {
        finalized = true
      }
    }
    const controller = new AbortController()
    const pending = accumulateChatCompletion(body(), { signal: controller.signal })
    await tick()
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    // return() was queued behind the stuck next(); it runs once that settles.
    release()
    await tick()
    expect(finalized).toBe(true)
  })

  test('signal: aborting a streamChatCompletion while the consumer holds an event ends the next read with the reason', async () => {
    const { stream, probe } = probeStream([sse(delta('a')), sse(delta('b')), sse(delta('c'))])
    const controller = new AbortController()
    const events = streamChatCompletion(stream, { signal: controller.signal })
    const seen: CompletionEvent['type'][] = []
    const reason = new Error('stop')
    const error = await (async () => {
      for await (const event of events) {
        seen.push(event.type)
        if (event.type === 'content.delta') controller.abort(reason)
      }
    })().catch((e: unknown) => e)
    expect(error).toBe(reason)
    expect(seen).toEqual(['chunk', 'content.delta'])
    expect(probe.cancels).toEqual([reason])
    expect(stream.locked).toBe(false)
    await expect(events.finalChatCompletion()).rejects.toBe(reason)
    expect(events.snapshot().choices[0]?.message.content).toBe('a')
  })

  test.each([0, 1, 2, 3, 5, 8])('signal: aborting after %i ms always rejects with the reason and releases the source', async (ms) => {
    const pieces = Array.from({ length: 6 }, (_, i) => sse(delta(String(i))))
    const probe: Probe = { pulls: 0, cancels: [] }
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (probe.pulls >= pieces.length) return controller.close()
        controller.enqueue(encoder.encode(pieces[probe.pulls++]!))
      },
      cancel(reason) {
        probe.cancels.push(reason)
      },
    })
    const reason = new Error(`abort at ${ms}`)
    const result = await accumulateChatCompletion(stream, { signal: timeoutSignal(ms, reason) }).catch((e: unknown) => e)
    expect(stream.locked).toBe(false)
    if (result === reason) {
      expect(probe.cancels).toEqual([reason])
      // The partial holds exactly the pieces read before the abort.
      const partial = (result as { partial: ChatCompletion }).partial
      expect(partial.choices[0]?.message.content ?? '').toBe('012345'.slice(0, probe.pulls))
    } else {
      // The stream finished first.
      expect((result as ChatCompletion).choices[0]?.message.content).toBe('012345')
      expect(probe.cancels).toEqual([])
    }
  })
})

function timeoutSignal(ms: number, reason: unknown): AbortSignal {
  const controller = new AbortController()
  setTimeout(() => controller.abort(reason), ms)
  return controller.signal
}

describe('read failures', () => {
  test('a read() rejecting mid-stream is a stream_failed error with the cause and the partial', async () => {
    const cause = new TypeError('terminated')
    const { stream, probe } = probeStream([sse(delta('Hel')), sse(delta('lo'))], { failAt: 2, error: cause })
    const error = (await accumulateChatCompletion(stream).catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error.code).toBe('stream_failed')
    expect(error.cause).toBe(cause)
    expect(error.message).toBe(`Reading the stream failed: terminated (after event 2, byte ${sse(delta('Hel'), delta('lo')).length})`)
    expect(error).toMatchObject({ eventNumber: 2, byteOffset: sse(delta('Hel'), delta('lo')).length })
    expect(error.partial?.choices[0]?.message.content).toBe('Hello')
    expect(stream.locked).toBe(false)
    // An errored stream has nothing to cancel.
    expect(probe.cancels).toEqual([])
  })

  test('a throwing async iterator is a stream_failed error', async () => {
    async function* body() {
      yield sse(delta('a'))
      throw new Error('socket hang up')
    }
    await expect(accumulateChatCompletion(body())).rejects.toMatchObject({
      code: 'stream_failed',
      message: `Reading the stream failed: socket hang up (after event 1, byte ${sse(delta('a')).length})`,
    })
  })

  test('streamChatCompletion hands out the events before the read failure, then throws it', async () => {
    const { stream } = probeStream([sse(delta('a'))], { failAt: 1 })
    const events = streamChatCompletion(stream)
    const seen: string[] = []
    const error = await (async () => {
      for await (const event of events) seen.push(event.type)
    })().catch((e: unknown) => e)
    expect(seen).toEqual(['chunk', 'content.delta'])
    expect(error).toMatchObject({ code: 'stream_failed' })
    await expect(events.finalChatCompletion()).rejects.toBe(error)
  })

  test('streamChatCompletion delivers the same events before a parse error whatever the chunking', async () => {
    const body = sse(delta('a'), delta('b')) + 'data: {oops}\n\n' + sse(delta('c'))
    async function collect(pieces: string[]) {
      const seen: CompletionEvent[] = []
      const error = await (async () => {
        for await (const event of streamChatCompletion(pieces)) seen.push(event)
      })().catch((e: unknown) => e)
      return { seen, error }
    }
    const whole = await collect([body])
    const split = await collect(body.split(/(?<=\n)/))
    expect(whole.seen.map((e) => e.type)).toEqual(['chunk', 'content.delta', 'chunk', 'content.delta'])
    expect(split.seen).toEqual(whole.seen)
    expect(whole.error).toMatchObject({ code: 'invalid_json', eventNumber: 3 })
  })
})

describe('errors in the payload', () => {
  test('a provider error payload mid-stream rejects with upstream_error, the partial and the upstream cancelled', async () => {
    const { stream, probe } = probeStream([sse(delta('Hi')), sse({ error: { message: 'overloaded', code: 529 } }), sse(delta('never'))])
    const error = (await accumulateChatCompletion(stream).catch((e: unknown) => e)) as ProviderError<ChatCompletion>
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', error: { message: 'overloaded', code: 529 }, eventNumber: 2 })
    expect(error.partial?.choices[0]?.message.content).toBe('Hi')
    expect(probe.cancels).toEqual([error])
    expect(stream.locked).toBe(false)
  })

  test('malformed JSON rejects with invalid_json naming the event and byte offset', async () => {
    const body = sse(delta('Hi')) + 'data: {"choices":[\n\n'
    const error = (await accumulateChatCompletion(body).catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 2, data: '{"choices":[' })
    expect(error.byteOffset).toBeGreaterThan(0)
    expect(error.partial?.choices[0]?.message.content).toBe('Hi')
  })
})

describe('backpressure', () => {
  test('streamChatCompletion reads one upstream chunk per consumed batch of events', async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => sse(delta(String(i % 10))))
    const { stream, probe } = probeStream(pieces)
    const events = streamChatCompletion(stream)
    let deltas = 0
    for await (const event of events) {
      if (event.type !== 'content.delta') continue
      deltas++
      // Each piece carries one delta: the source is at most one piece ahead of the consumer.
      expect(probe.pulls).toBeLessThanOrEqual(deltas + 1)
      await tick()
    }
    expect(deltas).toBe(50)
  })

  test('openSource reads only when next() is called', async () => {
    const { stream, probe } = probeStream(['a', 'b', 'c'])
    const input = await openSource(stream)
    await tick()
    expect(probe.pulls).toBe(0)
    await input.next()
    await tick()
    expect(probe.pulls).toBe(1)
    await input.cancel('enough')
    await input.cancel('twice')
    expect(probe.cancels).toEqual(['enough'])
    expect(stream.locked).toBe(false)
    expect(await input.next()).toEqual({ done: true, value: undefined })
  })
})
