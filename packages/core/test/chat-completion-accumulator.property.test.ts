import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createChatCompletionAccumulator, type CompletionEvent } from '@deltafold/core'
import {
  byteByByte,
  encodeCompletion,
  encodeSSE,
  expectedCompletion,
  fragments,
  parsePieces,
  seededRandom,
  splitBytes,
  type Loose,
  type ModelChoice,
  type ModelCompletion,
  type ModelLogprob,
} from './chunk-helpers.js'

// Fixed seed: CI runs the same cases every time; change it locally to explore.
const SEED = 20_251_126
const RUNS = 150

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Any code point, including astral ones whose surrogate pairs the encoder may split.
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', 'Hello, world!', 'naïve café 日本語 🎉👩‍👩‍👧', 'line\nbreak\r\nand "quotes" \\ back', '\u2028\u2029\u0085'),
)
const logprobValue = fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x))
const bytes = fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }), { nil: null })
const logprob: fc.Arbitrary<ModelLogprob> = fc.record({
  token: text,
  logprob: logprobValue,
  bytes,
  top_logprobs: fc.array(fc.record({ token: text, logprob: logprobValue, bytes }), { maxLength: 2 }),
})
const toolName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)

function choice(index: number): fc.Arbitrary<ModelChoice> {
  return fc.record({
    index: fc.constant(index),
    content: fc.option(text, { nil: null }),
    refusal: fc.option(text, { nil: null, freq: 4 }),
    reasoning: fc.option(fc.record({ field: fc.constantFrom('reasoning_content' as const, 'reasoning' as const), text }), { nil: null }),
    toolCalls: fc
      .array(
        fc.record({
          suffix: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
          name: toolName,
          arguments: fc.json({ depthSize: 'small' }),
        }),
        { maxLength: 3 },
      )
      .map((calls) => calls.map((c, i) => ({ id: `call_${index}_${i}_${c.suffix}`, name: c.name, arguments: c.arguments }))),
    logprobs: fc.option(fc.array(logprob, { maxLength: 5 }), { nil: null }),
    finishReason: fc.option(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'end_turn'), { nil: null }),
  })
}

const completion: fc.Arbitrary<ModelCompletion> = fc.record({
  id: fc.oneof(fc.constant('chatcmpl-abc'), fc.string({ minLength: 1, maxLength: 12 })),
  model: fc.constantFrom('gpt-4o', 'deepseek-reasoner', 'mistral-small-latest'),
  created: fc.integer({ min: 1, max: 2_000_000_000 }),
  choices: fc
    .integer({ min: 1, max: 3 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => choice(i))))
    .map((choices) => [...choices]),
  usage: fc.option(fc.record({ prompt_tokens: fc.nat(100_000), completion_tokens: fc.nat(100_000), total_tokens: fc.nat(200_000) }), {
    nil: null,
  }),
})

/** A completion and the seed of the random choices its encoding makes. */
const streamCase = fc.record({ completion, encodeSeed: fc.integer() })

describe('the test encoder itself', () => {
  test('fragments always join back to the text', () => {
    fc.assert(
      fc.property(text, fc.integer(), (t, seed) => {
        expect(fragments(t, seededRandom(seed)).join('')).toBe(t)
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  test('the same seed gives the same chunks; every chunk is a chat.completion.chunk with choices keyed by index', () => {
    fc.assert(
      fc.property(streamCase, ({ completion: model, encodeSeed }) => {
        const a = encodeCompletion(model, seededRandom(encodeSeed))
        expect(encodeCompletion(model, seededRandom(encodeSeed))).toEqual(a)
        for (const c of a) {
          expect(c.object).toBe('chat.completion.chunk')
          for (const ch of c.choices as Loose[]) expect(model.choices.map((m) => m.index)).toContain(ch.index)
        }
      }),
      { seed: SEED, numRuns: 50 },
    )
  })
})

describe('accumulating an encoded completion gives it back', () => {
  test('pushing the chunks gives back the completion', () => {
    fc.assert(
      fc.property(streamCase, ({ completion: model, encodeSeed }) => {
        const acc = createChatCompletionAccumulator()
        for (const c of encodeCompletion(model, seededRandom(encodeSeed))) acc.push(c)
        expect(acc.finish()).toEqual(expectedCompletion(model))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  test('the SSE text fed whole gives back the completion, and its events tell the same story', () => {
    fc.assert(
      fc.property(streamCase, ({ completion: model, encodeSeed }) => {
        const sse = encodeSSE(encodeCompletion(model, seededRandom(encodeSeed)))
        const { completion: result, events, error } = parsePieces([new TextEncoder().encode(sse)])
        expect(error).toBeUndefined()
        const expected = expectedCompletion(model)
        expect(result).toEqual(expected)
        for (const c of model.choices) {
          const of = <T extends CompletionEvent['type']>(type: T) =>
            events.filter((e): e is Extract<CompletionEvent, { type: T }> => e.type === type && 'index' in e && e.index === c.index)
          expect(
            of('content.delta')
              .map((e) => e.delta)
              .join(''),
          ).toBe(c.content ?? '')
          expect(
            of('refusal.delta')
              .map((e) => e.delta)
              .join(''),
          ).toBe(c.refusal ?? '')
          expect(
            of('reasoning.delta')
              .map((e) => e.delta)
              .join(''),
          ).toBe(c.reasoning?.text ?? '')
          expect(of('content.done').map((e) => e.content)).toEqual(c.content === null ? [] : [c.content])
          expect(of('tool_call.start').map((e) => [e.id, e.name])).toEqual(c.toolCalls.map((t) => [t.id, t.name]))
          for (const t of c.toolCalls) {
            expect(
              of('tool_call.arguments.delta')
                .filter((e) => e.id === t.id)
                .map((e) => e.delta)
                .join(''),
            ).toBe(t.arguments)
          }
          expect(of('tool_call.done').map((e) => [e.id, e.name, e.arguments])).toEqual(c.toolCalls.map((t) => [t.id, t.name, t.arguments]))
          expect(of('logprobs.content.delta').flatMap((e) => e.content)).toEqual(c.logprobs ?? [])
          expect(of('finish').map((e) => e.finishReason)).toEqual(c.finishReason === null ? [] : [c.finishReason])
        }
        expect(events.filter((e) => e.type === 'usage')).toHaveLength(model.usage ? 1 : 0)
        expect(events.at(-1)).toEqual({ type: 'done', completion: expected })
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  test('any byte split of the SSE gives the same completion', () => {
    fc.assert(
      fc.property(streamCase, fc.array(fc.nat(), { maxLength: 60 }), ({ completion: model, encodeSeed }, cuts) => {
        const bytes = new TextEncoder().encode(encodeSSE(encodeCompletion(model, seededRandom(encodeSeed))))
        const { completion: result, error } = parsePieces(
          splitBytes(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
        )
        expect(error).toBeUndefined()
        expect(result).toEqual(expectedCompletion(model))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  test('the SSE fed one byte at a time gives the same completion', () => {
    fc.assert(
      fc.property(streamCase, ({ completion: model, encodeSeed }) => {
        const bytes = new TextEncoder().encode(encodeSSE(encodeCompletion(model, seededRandom(encodeSeed))))
        const { completion: result, error } = parsePieces(byteByByte(bytes))
        expect(error).toBeUndefined()
        expect(result).toEqual(expectedCompletion(model))
      }),
      { seed: SEED, numRuns: 40 },
    )
  })
})
