import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, createChatCompletionTap, type DeltafoldError, type ChatCompletion } from '@deltafold/core'

const good = 'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
const rest = 'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'

async function rejection(promise: Promise<unknown>): Promise<DeltafoldError> {
  try {
    await promise
  } catch (error) {
    return error as DeltafoldError
  }
  throw new Error('expected a rejection')
}

describe('createChatCompletionTap', () => {
  test('folds what it is fed to the completion of accumulateChatCompletion', async () => {
    const tap = createChatCompletionTap()
    tap.feed(good)
    tap.feed(rest)
    tap.end()
    expect(await tap.finalChatCompletion()).toEqual(await accumulateChatCompletion([good + rest]))
  })

  test('settles at [DONE], before the end of the bytes, and ignores what follows', async () => {
    const tap = createChatCompletionTap()
    tap.feed(good + rest + 'data: [DONE]\n\n')
    expect(tap.stopped).toBe(true)
    tap.feed('data: {oops}\n\n')
    expect((await tap.finalChatCompletion()).choices[0]?.message.content).toBe('Hello')
  })

  test('fail-open: bad input never throws; the fold rejects with the typed error and partial', async () => {
    const tap = createChatCompletionTap()
    tap.feed(good)
    expect(() => tap.feed('data: {oops}\n\n')).not.toThrow()
    tap.feed(rest)
    tap.end()
    const error = await rejection(tap.finalChatCompletion())
    expect(error.code).toBe('invalid_json')
    expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
  })

  test('failClosed: bad input throws the typed error, once', async () => {
    const tap = createChatCompletionTap({ failClosed: true })
    tap.feed(good)
    expect(() => tap.feed('data: {oops}\n\n')).toThrow(expect.objectContaining({ code: 'invalid_json' }))
    expect(() => tap.feed(rest)).not.toThrow()
    expect((await rejection(tap.finalChatCompletion())).code).toBe('invalid_json')
  })

  test('failClosed: a provider error does not throw; it reaches only the fold', async () => {
    const tap = createChatCompletionTap({ failClosed: true })
    expect(() => tap.feed(good + 'data: {"error":{"message":"quota"}}\n\n')).not.toThrow()
    expect((await rejection(tap.finalChatCompletion())).code).toBe('upstream_error')
  })

  test('limits apply: maxEventBytes stops the fold with event_too_large', async () => {
    const tap = createChatCompletionTap({ maxEventBytes: 64 })
    tap.feed(`data: ${'x'.repeat(200)}\n\n`)
    expect((await rejection(tap.finalChatCompletion())).code).toBe('event_too_large')
  })

  test('cancel() rejects aborted with the reason as cause and partial; error() rejects stream_failed', async () => {
    const cancelled = createChatCompletionTap()
    cancelled.feed(good)
    cancelled.cancel('client left')
    const aborted = await rejection(cancelled.finalChatCompletion())
    expect([aborted.code, aborted.cause]).toEqual(['aborted', 'client left'])
    expect((aborted.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
    const broken = createChatCompletionTap()
    broken.error(new Error('reset'))
    expect((await rejection(broken.finalChatCompletion())).code).toBe('stream_failed')
  })

  test('a cancel after the end changes nothing', async () => {
    const tap = createChatCompletionTap()
    tap.feed(good + rest)
    tap.end()
    tap.cancel('late')
    expect((await tap.finalChatCompletion()).choices[0]?.message.content).toBe('Hello')
  })

  test('onEvent receives the typed events as the bytes are folded', () => {
    const types: string[] = []
    const tap = createChatCompletionTap({ onEvent: (event) => types.push(event.type) })
    tap.feed(good + rest)
    tap.end()
    expect(types).toContain('content.delta')
    expect(types.at(-1)).toBe('done')
  })
})
