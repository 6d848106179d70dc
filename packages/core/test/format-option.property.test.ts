import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  accumulateAnthropicMessage,
  accumulateChatCompletion,
  accumulateResponse,
  anthropicMessageToChatCompletion,
  isDeltafoldError,
  responseToChatCompletion,
  type ChatCompletion,
  type DeltafoldError,
  type WireFormat,
} from '@deltafold/core'
import { anthropicFixtures } from './anthropic-helpers.js'
import { DIVERGENT, responsesFixtures, splitAt } from './responses-helpers.js'

const SEED = 20_261_205

interface Case {
  name: string
  format: Exclude<WireFormat, 'chat'>
  bytes: Uint8Array
}

const cases: Case[] = [
  ...anthropicFixtures().map((f) => ({ name: f.name, format: 'anthropic' as const, bytes: f.bytes })),
  ...responsesFixtures().map((f) => ({ name: f.name, format: 'responses' as const, bytes: f.bytes })),
]

/**
 * What the format's own fold gives, mapped to chat: the completion, or the error it fails with.
 * `created` is the translation's (Anthropic messages carry none: both sides take the folded one).
 */
async function mapped(c: Case, created: number): Promise<{ completion?: ChatCompletion; error?: DeltafoldError }> {
  try {
    if (c.format === 'anthropic')
      return { completion: anthropicMessageToChatCompletion(await accumulateAnthropicMessage([c.bytes]), { created }) }
    const completion = responseToChatCompletion(await accumulateResponse([c.bytes]))
    if (c.name === DIVERGENT) {
      // Its deltas disagree with its final text (edited by hand at the source): streamed text cannot be taken back.
      completion.choices[0]!.message.content = 'The command ran successfully.'
    }
    return { completion }
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    return { error }
  }
}

/** Tool-call arguments parsed: the stream passes the model's JSON text, the pure mapping re-serializes `input`. */
function withParsedArguments(completion: ChatCompletion): unknown {
  const copy = structuredClone(completion)
  for (const choice of copy.choices) {
    for (const call of choice.message.tool_calls ?? []) {
      if (call.type === 'function') (call.function as { arguments: unknown }).arguments = JSON.parse(call.function.arguments)
    }
  }
  return copy
}

async function settle(promise: Promise<ChatCompletion>): Promise<{ completion?: ChatCompletion; error?: DeltafoldError }> {
  try {
    return { completion: await promise }
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    return { error }
  }
}

describe.each(cases.map((c) => [`${c.format}/${c.name}`, c] as const))('%s', (_name, c) => {
  test.each(['auto', 'explicit'] as const)(
    "format %s: accumulateChatCompletion at any split equals the format's own fold mapped to chat (or fails with its error code)",
    async (mode) => {
      const format = mode === 'auto' ? 'auto' : c.format
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: Math.max(1, c.bytes.length - 1) }), { maxLength: 12 }), async (cuts) => {
          const got = await settle(accumulateChatCompletion(splitAt(c.bytes, cuts), { format }))
          const want = await mapped(c, got.completion?.created ?? 0)
          if (want.error !== undefined) {
            expect(got.error?.code).toBe(want.error.code)
            // The partial is the chat completion of what was received, never empty of its metadata.
            expect(got.error?.partial).toMatchObject({ object: 'chat.completion' })
            return
          }
          expect(got.error).toBeUndefined()
          expect(withParsedArguments(got.completion!)).toEqual(withParsedArguments(want.completion!))
          // The text agrees exactly; arguments are the streamed JSON text.
          expect(got.completion!.choices[0]?.message.content).toBe(want.completion!.choices[0]?.message.content)
        }),
        { seed: SEED, numRuns: 3 },
      )
    },
  )
})

test('the fixtures cover both formats, some with tool calls and some failing', async () => {
  expect(cases.filter((c) => c.format === 'anthropic').length).toBeGreaterThan(10)
  expect(cases.filter((c) => c.format === 'responses').length).toBeGreaterThan(10)
  const results = await Promise.all(cases.map((c) => settle(accumulateChatCompletion([c.bytes], { format: 'auto' }))))
  expect(results.filter((r) => r.completion?.choices[0]?.message.tool_calls !== undefined).length).toBeGreaterThan(5)
  expect(results.filter((r) => r.error !== undefined).length).toBeGreaterThan(1)
})

test("format 'auto' on damaged recorded streams (bytes overwritten, events cut out): a completion or a DeltafoldError with a chat partial, never another exception", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: cases.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      async (which, flips, cut) => {
        const bytes = cases[which]!.bytes.slice(0, Math.max(1, cut % (cases[which]!.bytes.length + 1)))
        for (const [at, value] of flips) bytes[at % bytes.length] = value
        const got = await settle(accumulateChatCompletion([bytes], { format: 'auto' }))
        if (got.completion !== undefined) expect(got.completion.object).toBe('chat.completion')
        else expect(got.error!.partial).toMatchObject({ object: 'chat.completion' })
      },
    ),
    { seed: SEED, numRuns: 300 },
  )
})
