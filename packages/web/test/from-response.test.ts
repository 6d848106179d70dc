import { getEventListeners } from 'node:events'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, ProviderError, accumulateChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { fromResponse } from '@deltafold/web'
import { delta, eventStreamResponse, probeStream, random, sse, tick } from './helpers.js'

const HELLO = sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')

async function drain(events: AsyncIterable<CompletionEvent>): Promise<{ seen: CompletionEvent[]; error?: unknown }> {
  const seen: CompletionEvent[] = []
  try {
    for await (const event of events) seen.push(event)
    return { seen }
  } catch (error) {
    return { seen, error }
  }
}

describe('fromResponse status checks', () => {
  test('a 200 text/event-stream response streams events and resolves the final completion', async () => {
    const result = fromResponse(eventStreamResponse(HELLO))
    const { seen } = await drain(result.events)
    expect(seen.filter((e) => e.type === 'content.delta').map((e) => (e as { delta: string }).delta)).toEqual(['Hel', 'lo'])
    expect(await result.finalChatCompletion()).toEqual(await accumulateChatCompletion(HELLO))
  })

  test('a 429 JSON error errors events and rejects finalChatCompletion with a ProviderError http_error carrying body and status', async () => {
    const body = { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', code: 'rate_limit_exceeded' } }
    const response = new Response(JSON.stringify(body), { status: 429, headers: { 'content-type': 'application/json' } })
    const result = fromResponse(response)
    const { seen, error } = await drain(result.events)
    expect(seen).toEqual([])
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({
      code: 'http_error',
      status: 429,
      error: body,
      message: 'The provider answered with HTTP 429: Rate limit reached for gpt-4o',
    })
    await expect(result.finalChatCompletion()).rejects.toBe(error)
    expect(response.bodyUsed).toBe(true)
  })

  test('a 200 application/json error body is the provider error (upstream_error) with its object and headers', async () => {
    const response = new Response('{"error":{"message":"stream must be true"}}', {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_1' },
    })
    const error = await fromResponse(response)
      .finalChatCompletion()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', error: { message: 'stream must be true' }, headers: { 'x-request-id': 'req_1' } })
  })

  test('a 200 application/json non-streamed chat.completion is accepted as the final completion', async () => {
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop', logprobs: null }],
    }
    const response = new Response(JSON.stringify(completion), { status: 200, headers: { 'content-type': 'application/json' } })
    const final = await fromResponse(response).finalChatCompletion()
    expect(final.choices[0]?.message.content).toBe('Hi')
    expect(final.choices[0]?.finish_reason).toBe('stop')
    expect(final.id).toBe('chatcmpl-1')
  })

  test('checks the status at once, before anything is read', async () => {
    const result = fromResponse(new Response('bad gateway', { status: 502 }))
    await tick()
    // Rejected without being asked for: the status check ran eagerly.
    const outcome = await Promise.race([result.finalChatCompletion().catch((e: unknown) => e), tick().then(() => 'pending')])
    expect(outcome).toMatchObject({ code: 'http_error', status: 502, error: 'bad gateway' })
  })

  test('rejects a non-Response with a TypeError saying what to pass', () => {
    expect(() => fromResponse('data: x' as never)).toThrow(/pass the result of `await fetch/)
  })
})

describe('fromResponse payload errors', () => {
  test('a provider error payload mid-stream delivers the events before it, then errors with upstream_error, positions and partial', async () => {
    const { stream, probe } = probeStream([sse(delta('Hi')) + sse({ error: { message: 'overloaded', code: 529 } }), sse(delta('never'))])
    const result = fromResponse(eventStreamResponse(stream))
    const { seen, error } = await drain(result.events)
    expect(seen.map((e) => e.type)).toEqual(['chunk', 'content.delta', 'chunk'])
    expect(error).toBeInstanceOf(ProviderError)
    const providerError = error as ProviderError<ChatCompletion>
    expect(providerError).toMatchObject({ code: 'upstream_error', eventNumber: 2, error: { message: 'overloaded', code: 529 } })
    expect(providerError.byteOffset).toBeGreaterThan(0)
    expect(providerError.partial?.choices[0]?.message.content).toBe('Hi')
    await expect(result.finalChatCompletion()).rejects.toBe(error)
    expect(probe.cancels).toEqual([error])
    expect(stream.locked).toBe(false)
  })

  test('malformed JSON errors with invalid_json carrying the event number, byte offset and raw data', async () => {
    const body = sse(delta('Hi')) + 'data: {"choices":[\n\n'
    const result = fromResponse(eventStreamResponse(body))
    const { error } = await drain(result.events)
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 2, byteOffset: body.length - 1, data: '{"choices":[' })
    expect(result.snapshot().choices[0]?.message.content).toBe('Hi')
  })

  test('an upstream read() rejecting mid-stream is a stream_failed error with the cause and the partial', async () => {
    const cause = new TypeError('terminated')
    const { stream } = probeStream([sse(delta('a')), sse(delta('b'))], { failAt: 2, error: cause })
    const result = fromResponse(eventStreamResponse(stream))
    const { seen, error } = await drain(result.events)
    expect(seen.filter((e) => e.type === 'content.delta')).toHaveLength(2)
    expect(error).toMatchObject({ code: 'stream_failed', cause })
    expect((error as DeltafoldError<ChatCompletion>).partial?.choices[0]?.message.content).toBe('ab')
    expect(stream.locked).toBe(false)
  })

  test('errors reject every pending read', async () => {
    const cause = new Error('reset')
    const { stream } = probeStream([], { failAt: 0, error: cause })
    const reader = fromResponse(eventStreamResponse(stream)).events.getReader()
    const reads = [reader.read(), reader.read(), reader.read()]
    const results = await Promise.allSettled(reads)
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'stream_failed', cause })
  })
})

describe('fromResponse cancellation', () => {
  test('[DONE] cancels the body exactly once; nothing after it is read', async () => {
    const { stream, probe } = probeStream([sse(delta('Hi', 'stop')), sse('[DONE]'), sse(delta('ignored')), 'never'])
    const result = fromResponse(eventStreamResponse(stream))
    await drain(result.events)
    expect((await result.finalChatCompletion()).choices[0]?.message.content).toBe('Hi')
    expect(probe.pulls).toBe(2)
    expect(probe.cancels).toEqual([undefined])
    expect(stream.locked).toBe(false)
  })

  test('cancelling events cancels the body exactly once, releases it, and rejects finalChatCompletion with aborted and partial', async () => {
    const { stream, probe } = probeStream([sse(delta('a')), sse(delta('b')), sse(delta('c'))])
    const result = fromResponse(eventStreamResponse(stream))
    const reader = result.events.getReader()
    await reader.read()
    await reader.cancel('tab closed')
    await reader.cancel('again')
    expect(probe.cancels).toEqual(['tab closed'])
    expect(stream.locked).toBe(false)
    const error = (await result.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toMatchObject({ code: 'aborted', cause: 'tab closed' })
    expect(error.partial?.choices[0]?.message.content).toBe('a')
  })

  test('breaking out of for await cancels the body exactly once and releases both locks', async () => {
    const { stream, probe } = probeStream(Array.from({ length: 10 }, (_, i) => sse(delta(String(i)))))
    const result = fromResponse(eventStreamResponse(stream))
    for await (const event of result.events) if (event.type === 'content.delta') break
    expect(probe.cancels).toHaveLength(1)
    expect(probe.pulls).toBe(1)
    expect(stream.locked).toBe(false)
    expect(result.events.locked).toBe(false)
    expect(result.snapshot().choices[0]?.message.content).toBe('0')
  })

  test('a slow consumer: the body is read one network chunk per batch of events, never ahead', async () => {
    const { stream, probe } = probeStream(Array.from({ length: 80 }, (_, i) => sse(delta(String(i % 10)))))
    const result = fromResponse(eventStreamResponse(stream))
    await tick()
    expect(probe.pulls).toBe(0)
    let deltas = 0
    for await (const event of result.events) {
      if (event.type !== 'content.delta') continue
      deltas++
      await tick()
      await tick()
      expect(probe.pulls).toBe(deltas)
    }
    expect(deltas).toBe(80)
  })

  test('finalChatCompletion() reads the events itself when nobody reads them', async () => {
    const result = fromResponse(eventStreamResponse(HELLO))
    expect((await result.finalChatCompletion()).choices[0]?.message.content).toBe('Hello')
    expect(result.events.locked).toBe(true)
  })
})

describe('fromResponse abort', () => {
  test('signal: a stalled read rejects at once with signal.reason; the reason carries a non-enumerable partial', async () => {
    const { stream, probe } = probeStream([sse(delta('Hel')), sse(delta('lo'))], { stallAt: 2 })
    const controller = new AbortController()
    const result = fromResponse(eventStreamResponse(stream), { signal: controller.signal })
    const reader = result.events.getReader()
    const seen: CompletionEvent[] = []
    for (let i = 0; i < 4; i++) seen.push((await reader.read()).value!)
    const pending = [reader.read(), reader.read()]
    await tick()
    const reason = new Error('user pressed stop')
    controller.abort(reason)
    for (const read of pending) await expect(read).rejects.toBe(reason)
    await expect(result.finalChatCompletion()).rejects.toBe(reason)
    expect(Object.keys(reason)).not.toContain('partial')
    expect((reason as unknown as { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('Hello')
    expect(result.snapshot().choices[0]?.message.content).toBe('Hello')
    expect(probe.cancels).toEqual([reason])
    expect(stream.locked).toBe(false)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  test('signal: aborting while the consumer is idle errors the events at once, dropping queued ones', async () => {
    const { stream, probe } = probeStream([sse(delta('a'), delta('b'), delta('c'))])
    const controller = new AbortController()
    const result = fromResponse(eventStreamResponse(stream), { signal: controller.signal })
    const reader = result.events.getReader()
    await reader.read()
    controller.abort('stop')
    await expect(reader.read()).rejects.toBe('stop')
    expect(probe.cancels).toEqual(['stop'])
  })

  test('signal: an already aborted signal errors with its reason and cancels the body unread', async () => {
    const { stream, probe } = probeStream([HELLO])
    const reason = new Error('too late')
    const result = fromResponse(eventStreamResponse(stream), { signal: AbortSignal.abort(reason) })
    await expect(result.finalChatCompletion()).rejects.toBe(reason)
    expect(probe.pulls).toBe(0)
    expect(probe.cancels).toEqual([reason])
  })

  test.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'signal: aborting at a random point (seed %i) rejects with the reason or completes, and always releases the body',
    async (seed) => {
      const rng = random(seed)
      const pieces = Array.from({ length: 12 }, (_, i) => sse(delta(String(i % 10))))
      const probe = { pulls: 0, cancels: [] as unknown[] }
      const stream = new ReadableStream<Uint8Array>(
        {
          async pull(c) {
            await new Promise((resolve) => setTimeout(resolve, Math.floor(rng() * 3)))
            const piece = pieces[probe.pulls++]
            if (piece === undefined) c.close()
            else c.enqueue(new TextEncoder().encode(piece))
          },
          cancel(reason) {
            probe.cancels.push(reason)
          },
        },
        { highWaterMark: 0 },
      )
      const controller = new AbortController()
      const reason = new Error(`abort ${seed}`)
      setTimeout(() => controller.abort(reason), Math.floor(rng() * 50))
      const result = fromResponse(eventStreamResponse(stream), { signal: controller.signal })
      const { seen, error } = await drain(result.events)
      const contents = seen
        .filter((e) => e.type === 'content.delta')
        .map((e) => (e as { delta: string }).delta)
        .join('')
      if (error === undefined) {
        expect(contents).toBe('012345678901')
        expect(probe.cancels).toEqual([])
      } else {
        expect(error).toBe(reason)
        expect(probe.cancels).toEqual([reason])
        // The snapshot holds everything delivered, and possibly the events dropped with the abort.
        expect(result.snapshot().choices[0]?.message.content ?? '').toMatch(new RegExp(`^${contents}`))
      }
      await tick()
      expect(stream.locked).toBe(false)
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    },
  )
})
