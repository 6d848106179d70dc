import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionAccumulator,
  splitChatCompletion,
  toSSEStream,
  toSSEText,
  type ChatCompletion,
  type ChatCompletionChunk,
  type SplitChatCompletionOptions,
} from '@deltafold/core'

type Loose = Record<string, unknown>

const RECORDED = fileURLToPath(new URL('../../../test/fixtures/recorded/', import.meta.url))

/** Every recorded `.sse` file, as a path relative to the recorded folder. */
function recordedFiles(dir = RECORDED): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return recordedFiles(path)
      return name.endsWith('.sse') ? [relative(RECORDED, path)] : []
    })
}

const readRecorded = (file: string) => readFileSync(join(RECORDED, file), 'utf8')

/** The chunk objects of a recorded body, in order (`[DONE]` and other events left out). */
function recordedChunks(body: string): Loose[] {
  return body
    .split(/\n\n/)
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: {'))
    .map((event) => JSON.parse(event.slice('data: '.length)) as Loose)
}

/** Folds chunk objects into a completion with a fresh accumulator. */
function fold(chunks: readonly object[]): ChatCompletion {
  const accumulator = createChatCompletionAccumulator()
  for (const chunk of chunks) accumulator.push(chunk)
  return accumulator.finish()
}

/** A completion with the given choices and top-level fields (loosely typed: tests use provider shapes). */
function completion(choices: Loose[], extra: Loose = {}): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-test',
    choices,
    ...extra,
  } as unknown as ChatCompletion
}

/** One choice; `message` fields are added to an empty assistant message. */
function choice(message: Loose, extra: Loose = {}): Loose {
  return {
    index: 0,
    message: { role: 'assistant', content: null, refusal: null, ...message },
    finish_reason: 'stop',
    logprobs: null,
    ...extra,
  }
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta as Loose | undefined)

describe('splitChatCompletion reproduces what OpenAI streamed', () => {
  // The fragment sizes are read off the recording (a server's tokenizer decides them); everything
  // else — role chunk, logprobs placement, tool-call header, finish and usage chunks — is ours.
  test.each([
    'openai-node/gpt-4o-content-logprobs.sse',
    'openai-node/gpt-4o-refusal-logprobs.sse',
    'openai-node/gpt-4o-structured-output.sse',
    'openai-node/gpt-4o-leading-newline-content.sse',
    'simonw-llm/openai-gpt-4o-mini-tool-call.sse',
    'simonw-llm/openai-gpt-4o-mini-text-after-tool.sse',
  ])('%s, chunk for chunk', async (file) => {
    const body = readRecorded(file)
    const original = recordedChunks(body)
    const sizes: number[] = []
    for (const chunk of original) {
      for (const c of chunk.choices as Array<{ delta: Loose & { tool_calls?: Array<{ function?: Loose }> } }>) {
        const text = c.delta.content || c.delta.refusal || c.delta.tool_calls?.[0]?.function?.arguments
        if (typeof text === 'string' && text !== '') sizes.push([...text].length)
      }
    }
    let next = 0
    const ours = splitChatCompletion(await accumulateChatCompletion(body), { fragmentSize: () => sizes[next++] ?? 1 }) as unknown as Loose[]
    // OpenAI added `"usage": null` to every chunk of an include_usage stream in 2025; the 2024 recordings predate it.
    const dated = original.some((chunk) => 'usage' in chunk && chunk.usage === null)
      ? ours
      : ours.map(({ usage, ...rest }) => (usage === null ? rest : { usage, ...rest }))
    expect(dated).toEqual(original)
  })
})

describe('splitChatCompletion round trip of the recorded streams', () => {
  test.each(recordedFiles())('%s: accumulate → split → accumulate is stable', async (file) => {
    const first = await accumulateChatCompletion(readRecorded(file))
    for (const options of [
      {},
      { fragmentSize: 1 },
      { fragmentSize: 7, usage: 'last' },
      { fragmentSize: { min: 1, max: 20, seed: 3 } },
    ] as const) {
      expect(await accumulateChatCompletion(toSSEText(first, options))).toEqual(first)
      expect(fold(splitChatCompletion(first, options))).toEqual(first)
    }
  })
})

describe('splitChatCompletion', () => {
  test('opens text with content "" and refusal null in the role chunk', () => {
    const chunks = splitChatCompletion(completion([choice({ content: 'Hello there' })]), { fragmentSize: 5 })
    expect(deltas(chunks)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hello' },
      { content: ' ther' },
      { content: 'e' },
      {},
    ])
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, null, 'stop'])
    for (const c of chunks)
      expect(c).toMatchObject({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test' })
  })

  test('opens a refusal with content null and refusal ""', () => {
    const chunks = splitChatCompletion(completion([choice({ refusal: 'No.' })]), { fragmentSize: 10 })
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: null, refusal: '' }, { refusal: 'No.' }, {}])
  })

  test('writes empty content as the role chunk alone', () => {
    const c = completion([choice({ content: '' })])
    expect(deltas(splitChatCompletion(c))).toEqual([{ role: 'assistant', content: '', refusal: null }, {}])
    expect(fold(splitChatCompletion(c))).toEqual(c)
  })

  test('sends the first tool call header in the role chunk when nothing precedes it, then argument fragments', () => {
    const calls = [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'noop', arguments: '' } },
    ]
    const c = completion([choice({ tool_calls: calls }, { finish_reason: 'tool_calls' })])
    const chunks = splitChatCompletion(c, { fragmentSize: 8 })
    expect(deltas(chunks)).toEqual([
      {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'noop', arguments: '' } }] },
      {},
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('streams a custom tool call as OpenAI does: custom.name first, then custom.input fragments, no function member', () => {
    const calls = [
      { id: 'call_f', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
      { id: 'call_c', type: 'custom', custom: { name: 'code_exec', input: 'print("hello")' } },
    ]
    const c = completion([choice({ tool_calls: calls }, { finish_reason: 'tool_calls' })])
    const chunks = splitChatCompletion(c, { fragmentSize: 8 })
    expect(deltas(chunks).slice(2)).toEqual([
      { tool_calls: [{ index: 1, id: 'call_c', type: 'custom', custom: { name: 'code_exec', input: '' } }] },
      { tool_calls: [{ index: 1, custom: { input: 'print("h' } }] },
      { tool_calls: [{ index: 1, custom: { input: 'ello")' } }] },
      {},
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('streams audio as id first, then data and transcript fragments, and annotations one entry per chunk', () => {
    const annotations = [
      { type: 'url_citation', url_citation: { url: 'https://a', start_index: 0, end_index: 2, title: 'A' } },
      { type: 'url_citation', url_citation: { url: 'https://b', start_index: 2, end_index: 4, title: 'B' } },
    ]
    const audio = { id: 'audio_1', data: 'UklGRg==', expires_at: 1_700_000_100, transcript: 'Hello' }
    const c = completion([choice({ content: 'Hi', audio, annotations })])
    const chunks = splitChatCompletion(c, { fragmentSize: 4 })
    expect(deltas(chunks).filter((d) => d && 'audio' in d)).toEqual([
      { audio: { id: 'audio_1', expires_at: 1_700_000_100, data: '', transcript: '' } },
      { audio: { data: 'UklG' } },
      { audio: { data: 'Rg==' } },
      { audio: { transcript: 'Hell' } },
      { audio: { transcript: 'o' } },
    ])
    expect(deltas(chunks).filter((d) => d && 'annotations' in d)).toEqual(annotations.map((a) => ({ annotations: [a] })))
    expect(fold(chunks)).toEqual(c)
  })

  test('streams reasoning_content and reasoning with different texts each under its own name', () => {
    const c = completion([choice({ content: 'ok', reasoning_content: 'upstream', reasoning: 'gateway' })])
    expect(fold(splitChatCompletion(c, { fragmentSize: 3 }))).toEqual(c)
  })

  test('keeps tool-call and function extras on the header fragment', () => {
    const call = {
      id: 'call_1',
      type: 'function',
      function: { name: 'f', arguments: '{}', strict: true },
      extra_content: { google: { thought_signature: 'sig' } },
    }
    const c = completion([choice({ content: 'Let me check.', tool_calls: [call] })])
    const chunks = splitChatCompletion(c)
    expect(deltas(chunks).find((d) => d?.tool_calls)).toEqual({
      tool_calls: [
        {
          index: 0,
          id: 'call_1',
          type: 'function',
          function: { name: 'f', arguments: '', strict: true },
          extra_content: { google: { thought_signature: 'sig' } },
        },
      ],
    })
    expect(fold(chunks)).toEqual(c)
  })

  test('leaves out the id of a call that had none, and numbers calls in order', () => {
    const c = completion([
      choice({
        tool_calls: [
          { id: '', type: 'function', function: { name: 'a', arguments: '1' } },
          { id: '', type: 'function', function: { name: 'b', arguments: '2' } },
        ],
      }),
    ])
    const chunks = splitChatCompletion(c)
    expect(
      deltas(chunks)
        .flatMap((d) => (d?.tool_calls as Loose[] | undefined) ?? [])
        .filter((t) => 'type' in t),
    ).toEqual([
      { index: 0, type: 'function', function: { name: 'a', arguments: '' } },
      { index: 1, type: 'function', function: { name: 'b', arguments: '' } },
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test.each([
    ['reasoning_content', { reasoning_content: 'Think' }, [{ reasoning_content: 'Thi' }, { reasoning_content: 'nk' }]],
    ['reasoning', { reasoning: 'Think' }, [{ reasoning: 'Thi' }, { reasoning: 'nk' }]],
    [
      'both names',
      { reasoning_content: 'Think', reasoning: 'Think' },
      [
        { reasoning_content: 'Thi', reasoning: 'Thi' },
        { reasoning_content: 'nk', reasoning: 'nk' },
      ],
    ],
    ['empty reasoning', { reasoning: '' }, [{ reasoning: '' }]],
  ])('writes reasoning back under the field name it came in: %s', (_name, fields, expected) => {
    const c = completion([choice({ ...fields, content: 'Answer' })])
    const chunks = splitChatCompletion(c, { fragmentSize: 3 })
    expect(deltas(chunks).filter((d) => d && ('reasoning' in d || 'reasoning_content' in d))).toEqual(expected)
    expect(fold(chunks)).toEqual(c)
  })

  test("reasoning_details: streams text fragments under the entry's type and index", () => {
    const details = [
      { type: 'reasoning.text', text: 'abcdef', format: 'anthropic-claude-v1', index: 0 },
      { type: 'reasoning.encrypted', data: 'xyz', index: 1 },
    ]
    const c = completion([choice({ reasoning: 'abcdef', reasoning_details: details })])
    const chunks = splitChatCompletion(c, { fragmentSize: 4 })
    expect(deltas(chunks).filter((d) => d?.reasoning_details)).toEqual([
      { reasoning_details: [{ type: 'reasoning.text', text: 'abcd', format: 'anthropic-claude-v1', index: 0 }] },
      { reasoning_details: [{ type: 'reasoning.text', index: 0, text: 'ef' }] },
      { reasoning_details: [{ type: 'reasoning.encrypted', data: 'xyz', index: 1 }] },
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test("reasoning_details: places an entry without index where no other entry's key is", () => {
    // The accumulator keys an entry by (type, index ?? position in the delta): sent first at position
    // 0, the index-less entry would take the key of the later entry with index 0 and absorb it.
    const details = [
      { type: 'reasoning.summary', summary: 'first' },
      { type: 'reasoning.summary', summary: 'second', index: 0 },
    ]
    const c = completion([choice({ reasoning_details: details })])
    const chunks = splitChatCompletion(c)
    expect(deltas(chunks).filter((d) => d?.reasoning_details)).toEqual([
      { reasoning_details: [null, { type: 'reasoning.summary', summary: 'first' }] },
      { reasoning_details: [{ type: 'reasoning.summary', summary: 'second', index: 0 }] },
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('reasoning_details: an empty list comes back empty', () => {
    const c = completion([choice({ reasoning_details: [] })])
    expect(fold(splitChatCompletion(c))).toEqual(c)
  })

  test('sends content parts the accumulator kept (content_parts) back as a content-parts array', () => {
    const parts = [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]
    const c = completion([choice({ content: 'See:', content_parts: parts })])
    const chunks = splitChatCompletion(c)
    expect(deltas(chunks)).toContainEqual({ content: parts })
    expect(fold(chunks)).toEqual(c)
  })

  test('logprobs: spreads the entries over the fragments when the tokens do not spell the content', () => {
    const entry = (token: string) => ({ token, logprob: -0.5, bytes: null, top_logprobs: [] })
    const c = completion([choice({ content: 'abcdef' }, { logprobs: { content: [entry('x'), entry('y'), entry('z')], refusal: null } })])
    const chunks = splitChatCompletion(c, { fragmentSize: 2 })
    expect(chunks.map((ch) => ch.choices[0]?.logprobs?.content?.map((e) => e.token) ?? null)).toEqual([[], ['x'], ['y'], ['z'], null])
    expect(fold(chunks)).toEqual(c)
  })

  test('logprobs: entries without text to ride on get chunks of their own', () => {
    const entry = { token: 't', logprob: 0, bytes: [116], top_logprobs: [] }
    const c = completion([choice({ content: null }, { logprobs: { content: [entry, entry], refusal: [] } })])
    const chunks = splitChatCompletion(c)
    expect(chunks.map((ch) => ch.choices[0]?.logprobs)).toEqual([
      { content: [], refusal: [] },
      { content: [entry], refusal: null },
      { content: [entry], refusal: null },
      null,
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('logprobs: an object with both lists null comes back as such', () => {
    const c = completion([choice({ content: 'x' }, { logprobs: { content: null, refusal: null } })])
    expect(fold(splitChatCompletion(c))).toEqual(c)
  })

  test('interleaves n > 1 choices, one choice per chunk', () => {
    const c = completion([
      choice({ content: 'aaaa' }),
      { ...choice({ content: 'bb' }), index: 1 },
      { ...choice({ content: 'c' }), index: 3 },
    ])
    const chunks = splitChatCompletion(c, { fragmentSize: 2 })
    expect(chunks.map((ch) => `${ch.choices[0]?.index}:${ch.choices[0]?.delta.content ?? '-'}`)).toEqual([
      '0:',
      '1:',
      '3:',
      '0:aa',
      '1:bb',
      '3:c',
      '0:aa',
      '1:-',
      '3:-',
      '0:-',
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('keeps a choice that never finished open (finish_reason null, no finish chunk)', () => {
    const c = completion([choice({ content: 'cut' }, { finish_reason: null })])
    const chunks = splitChatCompletion(c)
    expect(chunks.every((ch) => ch.choices[0]?.finish_reason === null)).toBe(true)
    expect(fold(chunks)).toEqual(c)
  })

  test('usage chunk (default): a last chunk with choices [] and usage null on the others', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, completion_tokens_details: { reasoning_tokens: 0 } }
    const chunks = splitChatCompletion(completion([choice({ content: 'Hi' })], { usage }))
    expect(chunks.at(-1)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-test',
      choices: [],
      usage,
    })
    expect(chunks.slice(0, -1).every((ch) => ch.usage === null)).toBe(true)
  })

  test('usage last: on the finish chunk, no usage-only chunk', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
    const chunks = splitChatCompletion(completion([choice({ content: 'Hi' })], { usage }), { usage: 'last' })
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }], usage })
    expect(chunks.slice(0, -1).every((ch) => !('usage' in ch))).toBe(true)
  })

  test('usage none: no usage anywhere', () => {
    const chunks = splitChatCompletion(
      completion([choice({ content: 'Hi' })], { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      { usage: 'none' },
    )
    expect(chunks.every((ch) => !('usage' in ch))).toBe(true)
  })

  test('carries service_tier and system_fingerprint on every chunk, top-level extras on the first', () => {
    const c = completion([choice({ content: 'Hi' })], {
      service_tier: 'default',
      system_fingerprint: 'fp_1',
      citations: ['https://a'],
      x_groq: { id: 'req_1' },
    })
    const chunks = splitChatCompletion(c)
    for (const ch of chunks) expect(ch).toMatchObject({ service_tier: 'default', system_fingerprint: 'fp_1' })
    expect(chunks[0]).toMatchObject({ citations: ['https://a'], x_groq: { id: 'req_1' } })
    expect(chunks.slice(1).some((ch) => 'citations' in ch)).toBe(false)
    expect(fold(chunks)).toEqual(c)
  })

  test('carries message extras on the role chunk and choice extras on the finish chunk', () => {
    const c = completion([
      choice(
        { content: 'Hi', search_results: [{ url: 'https://a' }], channel: 'final' },
        { content_filter_results: { hate: { filtered: false } }, native_finish_reason: 'stop' },
      ),
    ])
    const chunks = splitChatCompletion(c)
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ search_results: [{ url: 'https://a' }], channel: 'final' })
    expect(chunks.at(-1)?.choices[0]).toMatchObject({
      finish_reason: 'stop',
      content_filter_results: { hate: { filtered: false } },
      native_finish_reason: 'stop',
    })
    expect(fold(chunks)).toEqual(c)
  })

  test('streams a legacy function_call as name first, then argument fragments', () => {
    const c = completion([choice({ function_call: { name: 'f', arguments: '{"a":1}' } }, { finish_reason: 'function_call' })])
    const chunks = splitChatCompletion(c, { fragmentSize: 4 })
    expect(deltas(chunks).filter((d) => d?.function_call)).toEqual([
      { function_call: { name: 'f', arguments: '' } },
      { function_call: { arguments: '{"a"' } },
      { function_call: { arguments: ':1}' } },
    ])
    expect(fold(chunks)).toEqual(c)
  })

  test('sends one metadata chunk for a completion without choices', () => {
    const c = completion([], { system_fingerprint: 'fp' })
    expect(splitChatCompletion(c)).toEqual([
      {
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'gpt-test',
        system_fingerprint: 'fp',
        choices: [],
      },
    ])
    expect(fold(splitChatCompletion(c))).toEqual(c)
  })

  test('never splits a surrogate pair: fragments count code points', () => {
    const chunks = splitChatCompletion(completion([choice({ content: '😀a𝄞\n' })]), { fragmentSize: 1 })
    expect(deltas(chunks).slice(1, -1)).toEqual([{ content: '😀' }, { content: 'a' }, { content: '𝄞' }, { content: '\n' }])
  })

  test('fragmentSize: a function is asked for every fragment', () => {
    const sizes = [1, 2, 3]
    let calls = 0
    const chunks = splitChatCompletion(completion([choice({ content: 'abcdef' })]), { fragmentSize: () => sizes[calls++ % 3]! })
    expect(deltas(chunks).slice(1, -1)).toEqual([{ content: 'a' }, { content: 'bc' }, { content: 'def' }])
    expect(calls).toBe(3)
  })

  test('fragmentSize: { min, max, seed } gives the same sizes for the same seed, within bounds', () => {
    const c = completion([choice({ content: 'x'.repeat(200) })])
    const a = splitChatCompletion(c, { fragmentSize: { min: 2, max: 5, seed: 42 } })
    expect(splitChatCompletion(c, { fragmentSize: { min: 2, max: 5, seed: 42 } })).toEqual(a)
    expect(splitChatCompletion(c, { fragmentSize: { min: 2, max: 5, seed: 43 } })).not.toEqual(a)
    const lengths = deltas(a)
      .slice(1, -2)
      .map((d) => (d?.content as string).length)
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(2)
    expect(Math.max(...lengths)).toBeLessThanOrEqual(5)
    expect(new Set(lengths).size).toBeGreaterThan(1)
  })

  test.each<[string, SplitChatCompletionOptions]>([
    ['zero', { fragmentSize: 0 }],
    ['negative', { fragmentSize: -1 }],
    ['fractional', { fragmentSize: 1.5 }],
    ['NaN', { fragmentSize: Number.NaN }],
    ['a function returning 0', { fragmentSize: () => 0 }],
    ['max 0', { fragmentSize: { max: 0 } }],
    ['min above max', { fragmentSize: { min: 3, max: 2 } }],
    ['an unknown usage mode', { usage: 'sometimes' as 'chunk' }],
  ])('throws TypeError for fragmentSize or usage: %s', (_name, options) => {
    expect(() => splitChatCompletion(completion([choice({ content: 'abc' })]), options)).toThrow(TypeError)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['no choices array', { id: 'x', choices: 'no' }],
    ['a choice that is not an object', { choices: [5] }],
    ['a negative choice index', { choices: [{ index: -1, message: {} }] }],
    ['a message that is not an object', { choices: [{ index: 0, message: 'hi' }] }],
  ])('throws TypeError for a malformed completion: %s', (_name, value) => {
    expect(() => splitChatCompletion(value as ChatCompletion)).toThrow(TypeError)
  })

  test('returns fresh objects: mutating the chunks leaves the completion alone', () => {
    const c = completion(
      [
        choice(
          { content: 'Hi', annotations: [{ a: 1 }] },
          { logprobs: { content: [{ token: 'Hi', logprob: 0, bytes: null, top_logprobs: [] }], refusal: null } },
        ),
      ],
      {
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        citations: ['x'],
      },
    )
    const before = structuredClone(c)
    for (const ch of splitChatCompletion(c)) {
      const anyChunk = ch as unknown as {
        usage?: Loose
        citations?: unknown[]
        choices: Array<{ delta: Loose; logprobs: { content: Loose[] } | null }>
      }
      if (anyChunk.usage) anyChunk.usage.prompt_tokens = 99
      anyChunk.citations?.push('y')
      for (const c of anyChunk.choices) {
        ;(c.delta.annotations as Loose[] | undefined)?.push({ b: 2 })
        if (c.logprobs?.content?.[0]) c.logprobs.content[0].token = 'changed'
      }
    }
    expect(c).toEqual(before)
  })

  test('runs its TSDoc example', () => {
    const c = {
      id: 'c1',
      object: 'chat.completion' as const,
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant' as const, content: 'Hello!', refusal: null },
          finish_reason: 'stop' as const,
          logprobs: null,
        },
      ],
    }
    const chunks = splitChatCompletion(c, { fragmentSize: 3 })
    expect(chunks.map((ch) => ch.choices[0]?.delta.content)).toEqual(['', 'Hel', 'lo!', undefined])
    expect(fold(chunks)).toEqual(c)
  })
})

describe('toSSEStream and toSSEText', () => {
  const c = completion([choice({ content: 'Hi\nthere 😀' })], { usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } })

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
    const reads: Uint8Array[] = []
    for await (const bytes of stream as unknown as AsyncIterable<Uint8Array>) reads.push(bytes)
    return reads
  }

  test('streams one event per read, ending with data: [DONE]', async () => {
    const reads = await readAll(toSSEStream(c, { fragmentSize: 4 }))
    const texts = reads.map((bytes) => new TextDecoder().decode(bytes))
    expect(texts.at(-1)).toBe('data: [DONE]\n\n')
    expect(texts.slice(0, -1).every((t) => /^data: \{[^\n]*\}\n\n$/.test(t))).toBe(true)
    expect(texts.join('')).toBe(toSSEText(c, { fragmentSize: 4 }))
    expect(texts.slice(0, -1).map((t) => JSON.parse(t.slice(6)))).toEqual(splitChatCompletion(c, { fragmentSize: 4 }))
  })

  test('done: false leaves out [DONE]', async () => {
    expect(toSSEText(c, { done: false })).not.toContain('[DONE]')
    const reads = await readAll(toSSEStream(c, { done: false }))
    expect(new TextDecoder().decode(reads.at(-1))).toContain('"usage":{')
  })

  test('reads back into the same completion', async () => {
    expect(await accumulateChatCompletion(toSSEStream(c))).toEqual(c)
    expect(await accumulateChatCompletion(toSSEText(c, { fragmentSize: 1 }))).toEqual(c)
  })

  test('keeps -0 (JSON.stringify would write 0)', async () => {
    const negativeZero = completion([
      choice({ content: 'x' }, { logprobs: { content: [{ token: 'x', logprob: -0, bytes: null, top_logprobs: [] }], refusal: null } }),
    ])
    expect(toSSEText(negativeZero)).toContain('"logprob":-0')
    const back = await accumulateChatCompletion(toSSEText(negativeZero))
    expect(Object.is(back.choices[0]?.logprobs?.content?.[0]?.logprob, -0)).toBe(true)
  })

  test('throws at the call, not on the first read, for a malformed completion', () => {
    expect(() => toSSEStream({ choices: null } as unknown as ChatCompletion)).toThrow(TypeError)
    expect(() => toSSEText({ choices: null } as unknown as ChatCompletion)).toThrow(TypeError)
  })

  test('cancelling the stream stops it', async () => {
    const reader = toSSEStream(c, { fragmentSize: 1 }).getReader()
    await reader.read()
    await reader.cancel()
    expect((await reader.read()).done).toBe(true)
  })

  test('runs the TSDoc examples', async () => {
    const example = {
      id: 'c1',
      object: 'chat.completion' as const,
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant' as const, content: 'Hello!', refusal: null },
          finish_reason: 'stop' as const,
          logprobs: null,
        },
      ],
    }
    const body = toSSEStream(example, { fragmentSize: { max: 4, seed: 7 } })
    expect(await accumulateChatCompletion(body)).toEqual(example)
    expect(toSSEText(example).endsWith('data: [DONE]\n\n')).toBe(true)
  })
})
