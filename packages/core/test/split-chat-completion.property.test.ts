import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionAccumulator,
  splitChatCompletion,
  toSSEStream,
  toSSEText,
  type ChatCompletion,
} from '@deltafold/core'
import { splitAt } from './helpers.js'

// Fixed seed: CI runs the same cases every time; change it locally to explore.
const SEED = 20250917

/** Folds chunk objects into a completion with a fresh accumulator. */
function fold(chunks: readonly object[]): ChatCompletion {
  const accumulator = createChatCompletionAccumulator()
  for (const chunk of chunks) accumulator.push(chunk)
  return accumulator.finish()
}

// ---- Wire chunks from any provider. Their accumulation is, by construction, a completion the
// accumulator can produce: the round trip must hold for every one of them.

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '\r\n', '\r', '😀', '𝄞', '\u2028', '"', '\\', '\u0000', 'é'),
      maxLength: 10,
    }),
  },
)
const json = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' })
// Extras never collide with a field the accumulator interprets.
const extraKey = fc.oneof(
  fc.constantFrom('content_filter_results', 'obfuscation', 'search_results', 'citations', 'native_finish_reason', 'provider'),
  fc.string({ unit: 'binary', maxLength: 5 }).map((s) => `x_${s}`),
)
const extras = fc.dictionary(extraKey, fc.oneof(json, text), { maxKeys: 2 })
const withExtras = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.tuple(arb, fc.option(extras, { nil: undefined, freq: 3 })).map(([value, x]) => (x ? { ...x, ...value } : value))

const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(-0))
const topLogprob = fc.record({ token: text, logprob: number, bytes: fc.option(fc.array(fc.nat(255), { maxLength: 4 })) })
const logprobEntry = fc.record({
  token: text,
  logprob: number,
  bytes: fc.option(fc.array(fc.nat(255), { maxLength: 4 })),
  top_logprobs: fc.array(topLogprob, { maxLength: 2 }),
})
const logprobs = fc.option(
  withExtras(
    fc.record({
      content: fc.option(fc.array(logprobEntry, { maxLength: 3 })),
      refusal: fc.option(fc.array(logprobEntry, { maxLength: 3 })),
    }),
  ),
)
const reasoningDetail = fc.oneof(
  {
    weight: 8,
    arbitrary: withExtras(
      fc.record(
        {
          type: fc.constantFrom('reasoning.text', 'reasoning.summary', 'reasoning.encrypted'),
          index: fc.option(fc.nat(2)),
          text,
          signature: fc.option(text),
          format: fc.constantFrom('anthropic-claude-v1', 'openai-responses-v1', 'unknown'),
        },
        { requiredKeys: ['type'] },
      ),
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
)
const toolCallFragment = withExtras(
  fc.record(
    {
      index: fc.option(fc.nat(2)),
      id: fc.oneof(fc.constantFrom('call_a', 'call_b', ''), text, fc.nat(5)),
      type: fc.constantFrom('function', 'custom', ''),
      custom: fc.option(withExtras(fc.record({ name: fc.constantFrom('code_exec', ''), input: text }, { requiredKeys: [] })), {
        nil: undefined,
      }),
      function: withExtras(
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('get_weather', 'search', ''), text),
            arguments: fc.oneof(
              text,
              json.map((v) => JSON.stringify(v)),
              fc.dictionary(fc.string(), json, { maxKeys: 2 }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
)
const contentParts = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('text'), text }),
    fc.record({ type: fc.constant('thinking'), thinking: fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }) }),
    fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: text }) }),
  ),
  { maxLength: 3 },
)
const delta = withExtras(
  fc.record(
    {
      role: fc.constantFrom('assistant', 'tool', ''),
      content: fc.oneof({ weight: 6, arbitrary: fc.option(text) }, { weight: 1, arbitrary: contentParts }),
      refusal: fc.option(text),
      reasoning_content: fc.option(text),
      reasoning: fc.option(text),
      reasoning_details: fc.array(reasoningDetail, { maxLength: 3 }),
      tool_calls: fc.array(toolCallFragment, { maxLength: 2 }),
      function_call: withExtras(fc.record({ name: fc.constantFrom('f', 'g', ''), arguments: text }, { requiredKeys: [] })),
      audio: withExtras(
        fc.record({ id: fc.constantFrom('audio_1', ''), data: text, transcript: text, expires_at: fc.nat() }, { requiredKeys: [] }),
      ),
      annotations: fc.array(
        fc.record({ type: fc.constant('url_citation'), url_citation: fc.record({ url: text, start_index: fc.nat() }) }),
        {
          maxLength: 2,
        },
      ),
    },
    { requiredKeys: [] },
  ),
)
const choice = withExtras(
  fc.record(
    {
      index: fc.nat(3),
      delta: fc.option(delta),
      logprobs,
      finish_reason: fc.option(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'function_call', 'end_turn', '')),
    },
    { requiredKeys: ['index'] },
  ),
)
const usage = withExtras(
  fc.record(
    {
      prompt_tokens: fc.option(fc.nat()),
      completion_tokens: fc.option(fc.nat()),
      total_tokens: fc.nat(),
      prompt_tokens_details: fc.record({ cached_tokens: fc.nat(), audio_tokens: fc.option(fc.nat()) }, { requiredKeys: [] }),
      completion_tokens_details: fc.record({ reasoning_tokens: fc.nat() }),
    },
    { requiredKeys: [] },
  ),
)
const chunk = withExtras(
  fc.record(
    {
      id: fc.oneof(fc.constantFrom('chatcmpl-1', ''), text),
      object: fc.constant('chat.completion.chunk'),
      created: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 31 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
      model: fc.oneof(fc.constantFrom('gpt-4o', ''), text),
      system_fingerprint: fc.option(text),
      service_tier: fc.option(fc.constantFrom('default', 'auto', 'flex', 'priority', '')),
      choices: fc.array(choice, { maxLength: 2 }),
      usage: fc.option(usage),
    },
    { requiredKeys: ['choices'] },
  ),
)
/** A completion the accumulator produced from a random chunk stream. */
const completion = fc.array(chunk, { maxLength: 6 }).map((chunks) => fold(chunks))

// ---- Completions written directly in the OpenAI shape, the way a caller hands one over (content
// with any code point and line breaks, logprobs whose tokens spell the text or not, tool calls with
// arbitrary JSON arguments). Each is already what the accumulator would build, so it must come back as is.

const tokens = fc.array(
  text.filter((t) => t !== ''),
  { minLength: 1, maxLength: 5 },
)
const entryFor = (token: string) =>
  fc.record({
    token: fc.constant(token),
    logprob: number,
    bytes: fc.constant([...new TextEncoder().encode(token)]),
    top_logprobs: fc.constant([]),
  })
/** A text with its logprobs: tokens that spell it (split per token) or unrelated entries (spread). */
const textWithLogprobs = fc.oneof(
  tokens.chain((parts) => fc.tuple(fc.constant(parts.join('')), fc.tuple(...parts.map(entryFor)))),
  fc.tuple(text, fc.array(logprobEntry, { maxLength: 4 })),
)
const directToolCall = (k: number) =>
  fc.record({
    id: fc.oneof(
      fc.constant(''),
      text.map((t) => `call_${k}_${t}`),
    ),
    type: fc.constant('function' as const),
    function: fc.record({ name: fc.constantFrom('get_weather', 'search', ''), arguments: json.map((v) => JSON.stringify(v)) }),
  })
const directChoice = (index: number) =>
  fc
    .record({
      content: fc.option(textWithLogprobs),
      refusal: fc.option(textWithLogprobs),
      logprobs: fc.boolean(),
      reasoning: fc.option(fc.tuple(fc.constantFrom('reasoning_content', 'reasoning', 'both'), text)),
      toolCount: fc.nat(3),
      finish_reason: fc.option(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter')),
    })
    .chain((r) =>
      fc.tuple(
        fc.constant(r),
        r.toolCount === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: r.toolCount }, (_, k) => directToolCall(k))),
      ),
    )
    .map(([r, toolCalls]) => {
      const message: Record<string, unknown> = { role: 'assistant', content: r.content?.[0] ?? null, refusal: r.refusal?.[0] ?? null }
      if (r.reasoning) {
        const [field, value] = r.reasoning
        if (field !== 'reasoning') message.reasoning_content = value
        if (field !== 'reasoning_content') message.reasoning = value
      }
      if (toolCalls.length > 0) message.tool_calls = toolCalls
      const logprobs = r.logprobs ? { content: r.content ? r.content[1] : null, refusal: r.refusal ? r.refusal[1] : null } : null
      return { index, message, finish_reason: r.finish_reason, logprobs }
    })
const directCompletion = fc
  .record(
    {
      id: fc.oneof(fc.constant('chatcmpl-1'), text),
      created: fc.integer({ min: 0, max: 2 ** 31 }),
      model: text,
      system_fingerprint: text.filter((t) => t !== ''),
      indexes: fc.uniqueArray(fc.nat(4), { maxLength: 3 }).map((list) => list.sort((a, b) => a - b)),
      usage: fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() }),
    },
    { requiredKeys: ['id', 'created', 'model', 'indexes'] },
  )
  .chain(({ indexes, ...top }) =>
    (indexes.length === 0 ? fc.constant([]) : fc.tuple(...indexes.map(directChoice))).map(
      (choices) => ({ ...top, object: 'chat.completion', choices }) as unknown as ChatCompletion,
    ),
  )

/** `fragmentSize` as a function cycling through fast-check-chosen sizes. */
const fragmentSizes = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 })
const cycling = (sizes: number[]) => {
  let i = 0
  return () => sizes[i++ % sizes.length]!
}

// Generous timeout: the 2-core test machine is shared, and 600 runs of the generator take seconds there.
describe('splitChatCompletion round trip (fast-check, fixed seed)', { timeout: 30_000 }, () => {
  test('accumulate(split(c)) deep-equals c, whatever the fragment sizes', () => {
    fc.assert(
      fc.property(completion, fragmentSizes, fc.constantFrom('chunk' as const, 'last' as const), (c, sizes, usageMode) => {
        const chunks = splitChatCompletion(c, { fragmentSize: cycling(sizes), usage: usageMode })
        for (const ch of chunks) {
          expect(ch).toMatchObject({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model })
          expect(ch.choices.length).toBeLessThanOrEqual(1)
        }
        expect(fold(chunks)).toEqual(c)
      }),
      { seed: SEED, numRuns: 600 },
    )
  })

  test('accumulateChatCompletion(toSSEText(c)) deep-equals c, whatever the byte split', async () => {
    await fc.assert(
      fc.asyncProperty(
        completion,
        fc.integer({ min: 1, max: 16 }),
        fc.integer(),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (c, max, seed, cuts) => {
          const bytes = new TextEncoder().encode(toSSEText(c, { fragmentSize: { max, seed } }))
          const pieces = splitAt(
            bytes,
            cuts.map((at) => at % (bytes.length + 1)),
          )
          expect(await accumulateChatCompletion(pieces)).toEqual(c)
        },
      ),
      { seed: SEED, numRuns: 300 },
    )
  })

  test('accumulateChatCompletion(toSSEStream(c)) deep-equals c', async () => {
    await fc.assert(
      fc.asyncProperty(completion, fragmentSizes, async (c, sizes) => {
        expect(await accumulateChatCompletion(toSSEStream(c, { fragmentSize: cycling(sizes) }))).toEqual(c)
      }),
      { seed: SEED, numRuns: 150 },
    )
  })

  test('usage none: the round trip keeps everything but usage', () => {
    fc.assert(
      fc.property(completion, (c) => {
        const { usage: _usage, ...rest } = c
        expect(fold(splitChatCompletion(c, { usage: 'none' }))).toEqual(rest)
      }),
      { seed: SEED, numRuns: 100 },
    )
  })

  test('the random fragment sizes are deterministic for a seed', () => {
    fc.assert(
      fc.property(completion, fc.integer(), (c, seed) => {
        const options = { fragmentSize: { min: 1, max: 5, seed } }
        expect(splitChatCompletion(c, options)).toEqual(splitChatCompletion(c, options))
      }),
      { seed: SEED, numRuns: 50 },
    )
  })
})

describe('splitChatCompletion round trip of OpenAI-shaped completions (fast-check, fixed seed)', () => {
  test('accumulate(split(c)) deep-equals c', () => {
    fc.assert(
      fc.property(directCompletion, fragmentSizes, (c, sizes) => {
        expect(fold(splitChatCompletion(c, { fragmentSize: cycling(sizes) }))).toEqual(c)
      }),
      { seed: SEED, numRuns: 400 },
    )
  })

  test('accumulateChatCompletion(toSSEText(c)) deep-equals c, whatever the byte split', async () => {
    await fc.assert(
      fc.asyncProperty(directCompletion, fc.integer(), fc.array(fc.nat(), { maxLength: 12 }), async (c, seed, cuts) => {
        const bytes = new TextEncoder().encode(toSSEText(c, { fragmentSize: { min: 1, max: 9, seed } }))
        expect(
          await accumulateChatCompletion(
            splitAt(
              bytes,
              cuts.map((at) => at % (bytes.length + 1)),
            ),
          ),
        ).toEqual(c)
      }),
      { seed: SEED, numRuns: 200 },
    )
  })

  test('content whose logprobs tokens spell it is split one token per chunk', () => {
    fc.assert(
      fc.property(tokens, (parts) => {
        const c = {
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: parts.join(''), refusal: null },
              finish_reason: 'stop',
              logprobs: { content: parts.map((token) => ({ token, logprob: -1, bytes: null, top_logprobs: [] })), refusal: null },
            },
          ],
        } as unknown as ChatCompletion
        const contentChunks = splitChatCompletion(c, { fragmentSize: 1 }).slice(1, -1)
        expect(contentChunks.map((ch) => ch.choices[0]?.delta.content)).toEqual(parts)
        expect(contentChunks.map((ch) => ch.choices[0]?.logprobs?.content?.map((e) => e.token))).toEqual(parts.map((p) => [p]))
      }),
      { seed: SEED, numRuns: 100 },
    )
  })
})
