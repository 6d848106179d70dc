import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionNormalizer,
  createChatCompletionTap,
  isDeltafoldError,
  type ChatCompletion,
  type ChatCompletionNormalizerOptions,
  type DeltafoldError,
} from '@deltafold/core'
import { anthropicFixtures, anthropicSSE, messageStart } from './anthropic-helpers.js'
import { responsesFixtures, splitAt } from './responses-helpers.js'

const SEED = 20_261_205

const cases = [
  ...anthropicFixtures().map((f) => ({ name: f.name, format: 'anthropic' as const, bytes: f.bytes })),
  ...responsesFixtures().map((f) => ({ name: f.name, format: 'responses' as const, bytes: f.bytes })),
]

/** The normalizer's whole output for the input in pieces, and the error that ended it. */
function normalize(pieces: Uint8Array[], options: ChatCompletionNormalizerOptions): { out: string; failure: unknown } {
  const normalizer = createChatCompletionNormalizer(options)
  let out = ''
  for (const piece of pieces) out += normalizer.feed(piece)
  out += normalizer.end()
  return { out, failure: normalizer.failure }
}

async function settle(promise: Promise<ChatCompletion>): Promise<{ completion?: ChatCompletion; error?: DeltafoldError }> {
  try {
    return { completion: await promise }
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    return { error }
  }
}

/** `created` of Anthropic translations is the time message_start was seen: equal up to that. */
const sameUpToCreated = (a: ChatCompletion, b: ChatCompletion) => expect({ ...a, created: 0 }).toEqual({ ...b, created: 0 })

describe.each(cases.map((c) => [`${c.format}/${c.name}`, c] as const))('%s', (_name, c) => {
  test("normalize with format 'auto' at any split emits a chat chunk stream that folds to the translated completion", async () => {
    const direct = await settle(accumulateChatCompletion([c.bytes], { format: c.format }))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: Math.max(1, c.bytes.length - 1) }), { maxLength: 12 }), async (cuts) => {
        const { out, failure } = normalize(splitAt(c.bytes, cuts), { format: 'auto' })
        // Canonical chat output: one data line per event, ending in [DONE] or an error event.
        expect(out).not.toMatch(/^event:/m)
        if (direct.error !== undefined) {
          expect((failure as DeltafoldError).code).toBe(direct.error.code)
          expect(out).toMatch(/data: \{"error":\{[^\n]*\}\n\n$/)
          return
        }
        expect(failure).toBeUndefined()
        expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
        sameUpToCreated(await accumulateChatCompletion([out]), direct.completion!)
      }),
      { seed: SEED, numRuns: 3 },
    )
  })
})

describe('the format option of the normalize engine', () => {
  const body = anthropicSSE([
    messageStart('msg_1'),
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
    { type: 'message_stop' },
  ])

  test("'anthropic' gives the same output as 'auto' on an Anthropic stream, each event as it completes", () => {
    const explicit = createChatCompletionNormalizer({ format: 'anthropic' })
    const auto = createChatCompletionNormalizer({ format: 'auto' })
    const strip = (text: string) => text.replace(/"created":\d+/g, '"created":0')
    // Up to the text block's delta: the role and the text are out before the message ends.
    const head = body.slice(0, body.indexOf('content_block_stop'))
    const early = explicit.feed(head)
    expect(early).toContain('"content":"Hi"')
    expect(strip(early)).toBe(strip(auto.feed(head)))
    expect(strip(explicit.feed(body.slice(head.length)) + explicit.end())).toBe(strip(auto.feed(body.slice(head.length)) + auto.end()))
  })

  test("the default 'chat' on an Anthropic stream ends the output with an unsupported_format error event", () => {
    const { out, failure } = normalize([new TextEncoder().encode(body)], {})
    expect(failure).toMatchObject({ code: 'unsupported_format', eventNumber: 1 })
    expect(out).toMatch(/^data: \{"error":\{.*"code":"unsupported_format"/m)
  })

  test("failClosed: a stream of another format than 'responses' throws unsupported_format", () => {
    const normalizer = createChatCompletionNormalizer({ format: 'responses', failClosed: true })
    expect(() => normalizer.feed(body)).toThrow(expect.objectContaining({ code: 'unsupported_format' }))
  })

  test('format and a custom translator together are a TypeError', () => {
    expect(() => createChatCompletionNormalizer({ format: 'auto', translator: { push: () => [], end: () => [] } })).toThrow(TypeError)
  })
})

describe('the format option of the tap', () => {
  test("format 'auto': the tap folds an Anthropic stream to its chat translation, the bytes untouched", async () => {
    const fixture = anthropicFixtures().find((f) => f.name === 'llm-anthropic-thinking-prompt.sse')!
    const tap = createChatCompletionTap({ format: 'auto' })
    for (const piece of splitAt(fixture.bytes, [17, 400, 1234])) tap.feed(piece)
    tap.end()
    const expected = await accumulateChatCompletion([fixture.bytes], { format: 'anthropic' })
    sameUpToCreated(await tap.finalChatCompletion(), expected)
  })

  test("the default 'chat' tap on an Anthropic stream rejects unsupported_format, without throwing from feed", async () => {
    const tap = createChatCompletionTap()
    const fixture = anthropicFixtures().find((f) => f.name === 'llm-anthropic-thinking-prompt.sse')!
    tap.feed(fixture.bytes)
    tap.end()
    await expect(tap.finalChatCompletion()).rejects.toMatchObject({ code: 'unsupported_format', eventNumber: 1 })
  })
})
