import { describe, expect, test, vi } from 'vitest'
import type { ChatCompletion, DeltafoldError } from '@deltafold/core'

const encoder = new TextEncoder()
const good = 'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
const rest = 'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'

/** A TransformStream that ignores the transformer's `cancel`, as browsers without the hook do. */
class NoCancelHookTransformStream<I, O> extends TransformStream<I, O> {
  constructor(transformer?: Transformer<I, O>, writable?: QueuingStrategy<I>, readable?: QueuingStrategy<O>) {
    const { cancel: _ignored, ...rest } = (transformer ?? {}) as Transformer<I, O> & { cancel?: unknown }
    super(rest, writable, readable)
  }
}

/** The web package loaded fresh, with or without the runtime's transformer cancel hook. */
async function load(cancelHook: boolean) {
  vi.resetModules()
  if (!cancelHook) vi.stubGlobal('TransformStream', NoCancelHookTransformStream)
  try {
    return await import('@deltafold/web')
  } finally {
    vi.unstubAllGlobals()
  }
}

describe.each([true, false])('ChatCompletionTapStream, transformer cancel hook %s', (cancelHook) => {
  test('passes the same chunk objects on in order and folds them', async () => {
    const { ChatCompletionTapStream } = await load(cancelHook)
    const pieces = [good.slice(0, 10), good.slice(10), rest].map((p) => encoder.encode(p))
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece)
        controller.close()
      },
    })
    const tap = new ChatCompletionTapStream()
    const out: Uint8Array[] = []
    for await (const chunk of source.pipeThrough(tap) as unknown as AsyncIterable<Uint8Array>) out.push(chunk)
    expect(out).toHaveLength(3)
    for (const [i, chunk] of out.entries()) expect(chunk).toBe(pieces[i])
    expect((await tap.finalChatCompletion()).choices[0]?.message.content).toBe('Hello')
    expect(tap.snapshot().choices[0]?.message.content).toBe('Hello')
  })

  test('a cancel from the reader reaches the upstream and the fold rejects aborted with partial', async () => {
    const { ChatCompletionTapStream } = await load(cancelHook)
    const cancels: unknown[] = []
    const source = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(encoder.encode(good)),
      cancel: (reason) => void cancels.push(reason),
    })
    const tap = new ChatCompletionTapStream()
    const reader = source.pipeThrough(tap).getReader()
    await reader.read()
    await reader.cancel('gone')
    const error = await tap.finalChatCompletion().then(
      () => undefined,
      (e: DeltafoldError) => e,
    )
    expect(error?.code).toBe('aborted')
    expect((error?.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(cancels).toEqual(['gone'])
  })
})

test('ChatCompletionNormalizeStream terminates once the output ended, cancelling the upstream', async () => {
  const { ChatCompletionNormalizeStream } = await load(true)
  let cancelled = false
  const source = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(encoder.encode(good + 'data: {"error":{"message":"quota"}}\n\n')),
    cancel: () => void (cancelled = true),
  })
  const text = await new Response(source.pipeThrough(new ChatCompletionNormalizeStream())).text()
  expect(text.endsWith('data: {"error":{"message":"quota"}}\n\n')).toBe(true)
  expect(cancelled).toBe(true)
})

test.each([true, false])(
  'cancel hook %s: an upstream that fails errors the reader and settles the fold with partial',
  async (cancelHook) => {
    const { ChatCompletionTapStream } = await load(cancelHook)
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const source = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
    const tap = new ChatCompletionTapStream()
    const reader = source.pipeThrough(tap).getReader()
    controller.enqueue(encoder.encode(good))
    await reader.read()
    const reading = reader.read().then(
      () => 'read',
      () => 'errored',
    )
    controller.error(new Error('socket reset'))
    expect(await reading).toBe('errored')
    const error = await tap.finalChatCompletion().then(
      () => undefined,
      (e: DeltafoldError) => e,
    )
    expect(['aborted', 'stream_failed']).toContain(error?.code)
    expect((error?.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
  },
)
