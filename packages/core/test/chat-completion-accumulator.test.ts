import { describe, expect, test } from 'vitest'
import {
  createChatCompletionAccumulator,
  createChatCompletionStreamParser,
  isDeltafoldError,
  ProviderError,
  type CompletionEvent,
} from '@deltafold/core'
import {
  accumulate,
  chunk,
  complete,
  delta,
  encodeSSE,
  failure,
  finish,
  message,
  parsePieces,
  toolCalls,
  toolDelta,
  type Loose,
} from './chunk-helpers.js'

const USAGE = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }

function types(events: readonly CompletionEvent[]): string[] {
  return events.map((e) => e.type)
}

function ofType<T extends CompletionEvent['type']>(
  events: readonly CompletionEvent[],
  type: T,
): Array<Extract<CompletionEvent, { type: T }>> {
  return events.filter((e): e is Extract<CompletionEvent, { type: T }> => e.type === type)
}

function calls(chunks: readonly unknown[]): Array<{ id: string; name: string; arguments: string }> {
  return toolCalls(complete(chunks)).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }))
}

describe('B. chunk, choice and message accumulation', () => {
  test('allowEmpty: false makes finish() without a chunk empty_stream with an empty partial; the default accepts it', () => {
    const strictEmpty = createChatCompletionAccumulator({ allowEmpty: false })
    let error: unknown
    try {
      strictEmpty.finish()
    } catch (e) {
      error = e
    }
    expect(isDeltafoldError(error) && error.code).toBe('empty_stream')
    expect(error).toMatchObject({ partial: { choices: [] } })
    expect(createChatCompletionAccumulator().finish().choices).toEqual([])
    const one = createChatCompletionAccumulator({ allowEmpty: false })
    one.push(chunk([{ index: 0, delta: { content: 'Hi' } }]))
    expect(one.finish().choices[0]?.message.content).toBe('Hi')
  })

  test.each([
    ['choices: []', chunk([], { usage: USAGE })],
    ['choices: null', chunk(null, { usage: USAGE })],
    ['no choices key', { id: 'chatcmpl-1', object: 'chat.completion.chunk', usage: USAGE }],
  ])('a usage chunk with %s is read and leaves the choices alone (B1)', (_name, usageChunk) => {
    const completion = complete([delta({ role: 'assistant', content: 'Hi' }), finish('stop'), usageChunk])
    expect(completion.usage).toEqual(USAGE)
    expect(completion.choices).toHaveLength(1)
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { content: 'Hi' } })
  })

  test('a stream of only keep-alive chunks without choices gives a completion with no choices (B1)', () => {
    expect(complete([chunk(null), chunk([]), { id: 'x' }]).choices).toEqual([])
  })

  test('usage on the finish chunk is applied after its delta and its finish_reason (B2)', () => {
    const { completion, events } = accumulate([
      delta({ role: 'assistant', content: 'Hel' }),
      chunk([{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }], { usage: USAGE }),
    ])
    expect(completion!.usage).toEqual(USAGE)
    expect(message(completion!).content).toBe('Hello')
    expect(types(events).slice(-6)).toEqual(['chunk', 'content.delta', 'content.done', 'finish', 'usage', 'done'])
  })

  test.each([
    {
      quirk: 'cumulative usage on every chunk (Perplexity)',
      usages: [
        { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
        { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        { prompt_tokens: 10, completion_tokens: 9, total_tokens: 19 },
      ],
      expected: { prompt_tokens: 10, completion_tokens: 9, total_tokens: 19 },
    },
    {
      quirk: 'nulls until the last chunk (Neon/Bedrock)',
      usages: [
        { prompt_tokens: 16, completion_tokens: null, total_tokens: null, cache_read_input_tokens: 0 },
        { prompt_tokens: 16, completion_tokens: 13, total_tokens: 29, cache_read_input_tokens: 0 },
      ],
      expected: { prompt_tokens: 16, completion_tokens: 13, total_tokens: 29, cache_read_input_tokens: 0 },
    },
    {
      quirk: 'a null after a number',
      usages: [USAGE, { prompt_tokens: null, completion_tokens: null, total_tokens: null }],
      expected: USAGE,
    },
    {
      quirk: 'details arriving in separate chunks',
      usages: [
        { ...USAGE, completion_tokens_details: { reasoning_tokens: 3 } },
        { completion_tokens_details: { audio_tokens: 0 }, prompt_tokens_details: { cached_tokens: 2 } },
      ],
      expected: {
        ...USAGE,
        completion_tokens_details: { reasoning_tokens: 3, audio_tokens: 0 },
        prompt_tokens_details: { cached_tokens: 2 },
      },
    },
  ])('usage replaces field by field, never summed: $quirk (B3)', ({ usages, expected }) => {
    const chunks = usages.map((usage, i) => delta({ content: String(i) }, {}, { usage }))
    expect(complete(chunks).usage).toEqual(expected)
  })

  test.each([
    {
      quirk: 'only x_groq.usage (older Groq streams): its token counts are the usage',
      last: {
        x_groq: {
          id: 'req_1',
          usage: { queue_time: 0.04, prompt_tokens: 45, prompt_time: 0.003, completion_tokens: 662, total_tokens: 707 },
        },
      },
      usage: { prompt_tokens: 45, completion_tokens: 662, total_tokens: 707 },
    },
    {
      quirk: 'both: the top-level usage wins',
      last: { x_groq: { id: 'req_1', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, usage: USAGE },
      usage: USAGE,
    },
  ])('Groq x_groq.usage is a fallback, $quirk (B4)', ({ last, usage }) => {
    const completion = complete([delta({ role: 'assistant', content: 'x' }, {}, { x_groq: { id: 'req_1', seed: 7 } }), chunk([], last)])
    expect(completion.usage).toEqual(usage)
    // The timing fields stay with the provider extras.
    expect((completion as unknown as Loose).x_groq).toMatchObject({ id: 'req_1', seed: 7, usage: last.x_groq.usage })
  })

  test('Azure filter chunks never overwrite metadata, keep filter results per choice, and a no-delta choice changes only metadata (B5)', () => {
    const filter = { hate: { filtered: false, severity: 'safe' } }
    const completion = complete([
      {
        choices: [],
        created: 0,
        id: '',
        model: '',
        object: '',
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: filter }],
      },
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, content_filter_results: {} }], {
        id: 'chatcmpl-A',
        model: 'gpt-4o',
        created: 1724860848,
        system_fingerprint: 'fp_1',
      }),
      chunk([{ index: 0, delta: { content: 'Kind' }, finish_reason: null, content_filter_results: filter }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      {
        choices: [{ index: 0, finish_reason: null, content_filter_offsets: { check_offset: 1 } }],
        created: 0,
        id: '',
        model: '',
        object: '',
      },
      {
        choices: [{ index: 0, finish_reason: null, content_filter_results: { violence: { filtered: false, severity: 'safe' } } }],
        id: '',
        model: '',
        system_fingerprint: '',
      },
    ])
    expect(completion).toMatchObject({
      id: 'chatcmpl-A',
      model: 'gpt-4o',
      created: 1724860848,
      system_fingerprint: 'fp_1',
      object: 'chat.completion',
    })
    expect((completion as unknown as Loose).prompt_filter_results).toEqual([{ prompt_index: 0, content_filter_results: filter }])
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'Kind', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
      content_filter_results: { ...filter, violence: { filtered: false, severity: 'safe' } },
      content_filter_offsets: { check_offset: 1 },
    })
  })

  test('an id that changes on every chunk does not split the stream; the first non-empty id wins (B6)', () => {
    const completion = complete([
      delta({ content: 'a' }, {}, { id: '' }),
      delta({ content: 'b' }, {}, { id: 'gen-1' }),
      delta({ content: 'c' }, {}, { id: 'gen-2' }),
    ])
    expect(completion.id).toBe('gen-1')
    expect(completion.choices).toHaveLength(1)
    expect(message(completion).content).toBe('abc')
  })

  test.each([
    {
      quirk: 'role repeated on every delta',
      deltas: [{ role: 'assistant', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'assistant' }],
      role: 'assistant',
      roleEvents: 1,
    },
    { quirk: 'no role ever sent', deltas: [{ content: 'a' }, { content: 'b' }], role: 'assistant', roleEvents: 0 },
    {
      quirk: 'empty role strings',
      deltas: [{ role: '', content: 'a' }, { role: 'assistant', content: 'b' }, { role: '' }],
      role: 'assistant',
      roleEvents: 1,
    },
  ])('$quirk: role is set, never appended (default "assistant") (B7)', ({ deltas, role, roleEvents }) => {
    const { completion, events } = accumulate(deltas.map((d) => delta(d)))
    expect(message(completion!).role).toBe(role)
    expect(message(completion!).content).toBe('ab')
    expect(ofType(events, 'role')).toHaveLength(roleEvents)
  })

  test.each([
    { quirk: 'no content field at all', deltas: [{ role: 'assistant' }], content: null, refusal: null },
    { quirk: 'content: null only', deltas: [{ role: 'assistant', content: null }, { content: null }], content: null, refusal: null },
    { quirk: 'content: "" only', deltas: [{ role: 'assistant', content: '' }], content: '', refusal: null },
    { quirk: 'null then text', deltas: [{ content: null }, { content: 'a' }, { content: null }], content: 'a', refusal: null },
    {
      quirk: 'a refusal stream (content null, refusal "")',
      deltas: [{ content: null, refusal: '' }, { refusal: 'No' }],
      content: null,
      refusal: 'No',
    },
    { quirk: 'refusal "" only', deltas: [{ refusal: '' }], content: null, refusal: '' },
    { quirk: 'a reasoning model cut by max_tokens', deltas: [{ content: null, reasoning_content: 'think' }], content: null, refusal: null },
  ])('$quirk: content and refusal are null unless a string delta arrived (B8)', ({ deltas, content, refusal }) => {
    const completion = complete([...deltas.map((d) => delta(d)), finish('length')])
    expect(message(completion).content).toBe(content)
    expect(message(completion).refusal).toBe(refusal)
  })

  test.each([
    {
      quirk: 'magistral thinking parts with nested text',
      contents: [
        [{ type: 'thinking', thinking: [{ type: 'text', text: 'The user asks ' }] }],
        [{ type: 'thinking', thinking: [{ type: 'text', text: '2+2.' }] }],
        [{ type: 'text', text: '2 + 2' }],
        ' = 4',
      ],
      content: '2 + 2 = 4',
      reasoning: 'The user asks 2+2.',
    },
    {
      quirk: 'strings alternating with parts, thinking as a string, a closed flag',
      contents: [
        '',
        [{ type: 'thinking', thinking: 'Okay', closed: false }],
        [{ type: 'thinking', thinking: ', 391', closed: true }],
        '391',
      ],
      content: '391',
      reasoning: 'Okay, 391',
    },
  ])('content as an array of typed parts ($quirk): text to content, thinking to reasoning (B9)', ({ contents, content, reasoning }) => {
    const { completion, events } = accumulate(contents.map((c) => delta({ content: c })))
    expect(message(completion!)).toMatchObject({ content, reasoning_content: reasoning })
    expect(message(completion!)).not.toHaveProperty('reasoning')
    expect(ofType(events, 'reasoning.delta').every((e) => e.field === 'content')).toBe(true)
  })

  test('unknown content parts are kept in content_parts, never stringified into content (B9)', () => {
    const image = { type: 'image_url', image_url: { url: 'https://x/y.png' } }
    const completion = complete([delta({ content: [{ type: 'text', text: 'see' }, image] })])
    expect(message(completion).content).toBe('see')
    expect(message(completion).content_parts).toEqual([image])
  })

  test.each([
    { quirk: 'in its own empty-delta chunk (OpenAI)', chunks: [delta({ content: 'a' }), finish('stop')], reason: 'stop', content: 'a' },
    {
      quirk: 'in the chunk of the last content (Mistral): the delta is applied first',
      chunks: [delta({ content: 'a' }), delta({ content: 'b' }, { finish_reason: 'stop' })],
      reason: 'stop',
      content: 'ab',
    },
    {
      quirk: 'repeated on the usage chunk (OpenRouter)',
      chunks: [
        delta({ content: 'a' }),
        finish('stop'),
        chunk([{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], { usage: USAGE }),
      ],
      reason: 'stop',
      content: 'a',
    },
    {
      quirk: 'sent twice with the same value (MiniMax)',
      chunks: [delta({ content: 'a' }, { finish_reason: 'length' }), finish('length')],
      reason: 'length',
      content: 'a',
    },
    { quirk: 'never sent (Snowflake, Kimi via Novita)', chunks: [delta({ content: 'a' })], reason: null, content: 'a' },
    {
      quirk: 'followed by a null (never overwrites)',
      chunks: [delta({ content: 'a' }), finish('stop'), finish(null)],
      reason: 'stop',
      content: 'a',
    },
    {
      quirk: 'changing: the last non-null wins',
      chunks: [delta({ content: 'a' }), finish('stop'), finish('tool_calls')],
      reason: 'tool_calls',
      content: 'a',
    },
    { quirk: 'sent as "" (ignored)', chunks: [delta({ content: 'a' }), finish('stop'), finish('')], reason: 'stop', content: 'a' },
  ])('finish_reason $quirk (B10)', ({ chunks, reason, content }) => {
    const completion = complete(chunks)
    expect(completion.choices[0]!.finish_reason).toBe(reason)
    expect(message(completion).content).toBe(content)
  })

  test('n>1 choices interleaved and out of order are keyed by index, each with its own role and finish, output sorted (B11)', () => {
    const completion = complete([
      chunk([{ index: 2, delta: { role: 'assistant', content: 'C' }, finish_reason: null }]),
      chunk([
        { index: 0, delta: { role: 'assistant', content: 'A' }, finish_reason: null },
        { index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null },
      ]),
      chunk([
        { index: 1, delta: { content: 'b' }, finish_reason: 'length' },
        { index: 2, delta: { content: 'c' }, finish_reason: null },
      ]),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }]),
      chunk([{ index: 2, delta: {}, finish_reason: 'stop' }]),
    ])
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'Aa', 'stop'],
      [1, 'Bb', 'length'],
      [2, 'Cc', 'stop'],
    ])
  })

  test.each([
    { quirk: 'missing', choice: { delta: { content: 'x' } } },
    { quirk: 'null', choice: { index: null, delta: { content: 'x' } } },
  ])('a $quirk choice index means 0 (B11)', ({ choice }) => {
    const completion = complete([delta({ content: 'w' }), chunk([choice])])
    expect(completion.choices).toHaveLength(1)
    expect(message(completion).content).toBe('wx')
  })

  test.each([
    {
      quirk: 'content logprobs, starting with [] and ending with null',
      logprobs: [
        { content: [], refusal: null },
        { content: [{ token: 'a' }], refusal: null },
        { content: [{ token: 'b' }, { token: 'c' }], refusal: null },
        null,
      ],
      expected: { content: [{ token: 'a' }, { token: 'b' }, { token: 'c' }], refusal: null },
    },
    {
      quirk: 'refusal logprobs',
      logprobs: [
        { content: null, refusal: [] },
        { content: null, refusal: [{ token: 'No' }] },
        { content: null, refusal: [{ token: '.' }] },
      ],
      expected: { content: null, refusal: [{ token: 'No' }, { token: '.' }] },
    },
    { quirk: 'never any (logprobs: null everywhere)', logprobs: [null, null], expected: null },
    { quirk: 'never any (no logprobs key)', logprobs: [undefined], expected: null },
  ])('logprobs: $quirk (B12)', ({ logprobs, expected }) => {
    const completion = complete(logprobs.map((lp) => delta({ content: 'x' }, lp === undefined ? {} : { logprobs: lp })))
    expect(completion.choices[0]!.logprobs).toEqual(expected)
  })

  test('unknown top-level fields are kept, object is not validated, padding is dropped, and a moderation chunk keeps the usage (B13)', () => {
    const completion = complete([
      delta({ role: 'assistant', content: 'a' }, {}, { provider: 'Novita', citations: ['u1'], obfuscation: 'Zx9', p: 'abcdef' }),
      chunk([{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], {
        object: 'chat.completion.done',
        citations: ['u1', 'u2'],
        time_info: { total_time: 0.2 },
      }),
      chunk([], { usage: USAGE, obfuscation: 'q' }),
      chunk([], { moderation: { flagged: false } }),
    ])
    expect(completion).toMatchObject({
      object: 'chat.completion',
      provider: 'Novita',
      citations: ['u1', 'u2'],
      time_info: { total_time: 0.2 },
      moderation: { flagged: false },
      usage: USAGE,
    })
    expect(completion).not.toHaveProperty('obfuscation')
    expect(completion).not.toHaveProperty('p')
  })

  test('provider extras never overwrite the fields the completion owns (B13)', () => {
    const completion = complete([
      chunk([
        {
          index: 0,
          delta: { content: 'a', content_parts: 'x' },
          finish_reason: 'stop',
          message: { content: 'HIJACK' },
          native_finish_reason: 'end_turn',
        },
      ]),
    ])
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      native_finish_reason: 'end_turn',
      message: { content: 'a' },
    })
    expect(message(completion)).not.toHaveProperty('content_parts')
  })

  test('unknown delta fields are kept: strings concatenate, other values the latest non-null wins (objects merge)', () => {
    const completion = complete([
      delta({ content: 'a', audio_transcript: 'he', search_results: [{ n: 1 }], meta: { a: 1 } }),
      delta({ content: 'b', audio_transcript: 'llo', search_results: null, meta: { b: 2 } }),
      delta({ search_results: [{ n: 2 }], meta: { a: 3 } }),
    ])
    expect(message(completion)).toMatchObject({ audio_transcript: 'hello', search_results: [{ n: 2 }], meta: { a: 3, b: 2 } })
  })

  test('the legacy function_call accumulates like a tool call (name set, arguments appended)', () => {
    const completion = complete([
      delta({ role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '' } }),
      delta({ function_call: { arguments: '{"city":' } }),
      delta({ function_call: { name: 'get_weather', arguments: '"Paris"}' } }),
      finish('function_call'),
    ])
    expect(message(completion).function_call).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' })
    expect(completion.choices[0]!.finish_reason).toBe('function_call')
  })
})

describe('C. reasoning fields', () => {
  test('reasoning_content (DeepSeek) is appended to reasoning_content, never to content, and kept on the message (C1)', () => {
    const completion = complete([
      delta({ role: 'assistant', content: null, reasoning_content: '' }),
      delta({ content: null, reasoning_content: 'We need' }),
      delta({ content: null, reasoning_content: ' to count.' }),
      delta({ content: 'Three.', reasoning_content: null }),
    ])
    expect(message(completion)).toMatchObject({ content: 'Three.', reasoning_content: 'We need to count.' })
    expect(message(completion)).not.toHaveProperty('reasoning')
  })

  test.each([
    {
      quirk: 'only reasoning (vLLM, Groq, Cerebras)',
      deltas: [{ reasoning: 'a' }, { reasoning: 'b' }],
      fields: { reasoning: 'ab' },
      absent: 'reasoning_content',
    },
    {
      quirk: 'only reasoning_content',
      deltas: [{ reasoning_content: 'a' }, { reasoning_content: 'b' }],
      fields: { reasoning_content: 'ab' },
      absent: 'reasoning',
    },
    {
      quirk: 'both names with the same text in one delta (counted once)',
      deltas: [
        { reasoning_content: 'a', reasoning: 'a' },
        { reasoning_content: 'b', reasoning: 'b' },
      ],
      fields: { reasoning_content: 'ab', reasoning: 'ab' },
      absent: undefined,
    },
  ])('$quirk: written back under the name(s) the provider used (C2)', ({ deltas, fields, absent }) => {
    const { completion, events } = accumulate(deltas.map((d) => delta(d)))
    expect(message(completion!)).toMatchObject(fields)
    if (absent) expect(message(completion!)).not.toHaveProperty(absent)
    expect(ofType(events, 'reasoning.delta').map((e) => e.delta)).toEqual(['a', 'b'])
  })

  test('OpenRouter reasoning_details merge by (type, index); the mirrored reasoning text is not doubled (C3)', () => {
    const completion = complete([
      delta({ reasoning: 'Let', reasoning_details: [{ type: 'reasoning.text', text: 'Let', index: 0, format: 'anthropic-claude-v1' }] }),
      delta({ reasoning: ' me', reasoning_details: [{ type: 'reasoning.text', text: ' me', index: 0 }] }),
      delta({ reasoning_details: [{ type: 'reasoning.text', text: '', signature: 'sig==', index: 0 }] }),
      delta({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'blob', index: 1 }] }),
      delta({ content: 'Hi' }),
    ])
    expect(message(completion)).toMatchObject({
      content: 'Hi',
      reasoning: 'Let me',
      reasoning_details: [
        { type: 'reasoning.text', text: 'Let me', index: 0, format: 'anthropic-claude-v1', signature: 'sig==' },
        { type: 'reasoning.encrypted', data: 'blob', index: 1 },
      ],
    })
  })

  test('<think> tags inline in content stay content, even split across chunks (C4)', () => {
    const completion = complete(['<th', 'ink>', 'hmm</thi', 'nk>\nAnswer'].map((c) => delta({ content: c })))
    expect(message(completion).content).toBe('<think>hmm</think>\nAnswer')
    expect(message(completion)).not.toHaveProperty('reasoning_content')
  })

  test('channel on every delta (harmony) is kept once, never appended (C5)', () => {
    const completion = complete([
      delta({ channel: 'analysis', reasoning: 'think' }),
      delta({ channel: 'analysis', reasoning: 'ing' }),
      delta({ channel: 'final', content: 'Hi' }),
    ])
    expect(message(completion)).toMatchObject({ channel: 'final', reasoning: 'thinking', content: 'Hi' })
  })
})

describe('D. tool calls', () => {
  test.each([
    {
      quirk: 'a new id starts a new call, no id continues the most recent',
      chunks: [
        toolDelta({ id: 'a', function: { name: 'f', arguments: '{"x"' } }),
        toolDelta({ function: { arguments: ':1}' } }),
        toolDelta({ id: 'b', function: { name: 'g', arguments: '{}' } }),
      ],
      expected: [
        { id: 'a', name: 'f', arguments: '{"x":1}' },
        { id: 'b', name: 'g', arguments: '{}' },
      ],
    },
    {
      quirk: 'a known id goes back to its call',
      chunks: [
        toolDelta({ id: 'a', function: { name: 'f', arguments: '[1' } }),
        toolDelta({ id: 'b', function: { name: 'g', arguments: '[2' } }),
        toolDelta({ id: 'a', function: { arguments: ']' } }),
        toolDelta({ index: null, id: 'b', function: { arguments: ']' } }),
      ],
      expected: [
        { id: 'a', name: 'f', arguments: '[1]' },
        { id: 'b', name: 'g', arguments: '[2]' },
      ],
    },
    {
      quirk: 'index null everywhere (Gemini compat)',
      chunks: [
        toolDelta({ index: null, id: 'a', function: { name: 'f', arguments: '' } }),
        toolDelta({ index: null, id: null, function: { arguments: '{}' } }),
      ],
      expected: [{ id: 'a', name: 'f', arguments: '{}' }],
    },
  ])('tool calls without index: $quirk (D1)', ({ chunks, expected }) => {
    expect(calls(chunks)).toEqual(expected)
  })

  test('different ids sharing index 0 are separate calls, never "}{" (Gemini parallel calls) (D2)', () => {
    const chunks = [
      toolDelta({ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"A"}' } }),
      toolDelta({ index: 0, id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":' } }),
      toolDelta({ index: 0, function: { arguments: '"B"}' } }),
    ]
    expect(calls(chunks)).toEqual([
      { id: 'call_a', name: 'weather', arguments: '{"city":"A"}' },
      { id: 'call_b', name: 'weather', arguments: '{"city":"B"}' },
    ])
    expect(failure(chunks, { strict: true })).toMatchObject({ code: 'index_conflict', path: '$.choices[0].delta.tool_calls[0].index' })
  })

  test.each([
    {
      quirk: 'id, type and name repeated on every delta (Kimi, MiniMax)',
      chunks: [
        toolDelta({ index: 0, id: '0', type: 'function', function: { name: 'read_file', arguments: '' } }),
        toolDelta({ index: 0, id: '0', type: 'function', function: { name: 'read_file', arguments: '{}' } }),
      ],
      expected: { id: '0', name: 'read_file', arguments: '{}' },
    },
    {
      quirk: 'continuations with id "" and type (Qwen)',
      chunks: [
        toolDelta({ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } }),
        toolDelta({ index: 0, id: '', type: 'function', function: { arguments: '{"a":' } }),
        toolDelta({ index: 0, id: '', type: 'function', function: { arguments: '1}' } }),
      ],
      expected: { id: 'call_1', name: 'weather', arguments: '{"a":1}' },
    },
    {
      quirk: 'name "" on a continuation (Mistral-API zai-glm)',
      chunks: [
        toolDelta({ index: 0, id: 'call_1', function: { name: 'search', arguments: '' } }),
        toolDelta({ index: 0, type: 'function', function: { name: '', arguments: '{"q":1}' } }),
      ],
      expected: { id: 'call_1', name: 'search', arguments: '{"q":1}' },
    },
    {
      quirk: 'a name streamed in fragments (Gemini via Continue)',
      chunks: [
        toolDelta({ index: 0, id: 'c', function: { name: 'edit_ex' } }),
        toolDelta({ index: 0, function: { name: 'isting_file', arguments: '{}' } }),
      ],
      expected: { id: 'c', name: 'edit_existing_file', arguments: '{}' },
    },
  ])('$quirk: id and type set once, name set/skipped/appended, arguments appended (D3)', ({ chunks, expected }) => {
    expect(calls(chunks)).toEqual([expected])
    expect(toolCalls(complete(chunks))[0]!.type).toBe('function')
  })

  test.each([
    {
      quirk: 'in a single delta with id and name',
      chunks: [toolDelta({ index: 0, id: 'c', function: { name: 'f', arguments: '{"a":1}' } })],
    },
    {
      quirk: 'after an empty "" delta',
      chunks: [
        toolDelta({ index: 0, id: 'c', function: { name: 'f', arguments: '' } }),
        toolDelta({ index: 0, function: { arguments: '{"a":1}' } }),
      ],
    },
  ])('whole arguments $quirk are the plain concatenation (never doubled) (D4)', ({ chunks }) => {
    expect(calls(chunks)).toEqual([{ id: 'c', name: 'f', arguments: '{"a":1}' }])
  })

  test.each([
    { quirk: 'an object', args: { city: 'Paris', days: [1, 2] }, expected: '{"city":"Paris","days":[1,2]}' },
    { quirk: 'an array', args: [1, 'a'], expected: '[1,"a"]' },
    { quirk: 'an empty object', args: {}, expected: '{}' },
  ])('arguments sent as $quirk are JSON.stringify-ed and replace the string (strict: invalid_type) (D5)', ({ args, expected }) => {
    const chunks = [
      toolDelta({ index: 0, id: 'c', function: { name: 'f', arguments: '{"par' } }),
      toolDelta({ index: 0, function: { arguments: args } }),
    ]
    expect(calls(chunks)).toEqual([{ id: 'c', name: 'f', arguments: expected }])
    expect(failure(chunks, { strict: true })).toMatchObject({
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    })
  })

  test.each([
    {
      quirk: 'missing on the first delta',
      chunks: [toolDelta({ index: 0, id: 'c', function: { name: 'f' } }), toolDelta({ index: 0, function: { arguments: '{}' } })],
      args: '{}',
    },
    {
      quirk: 'null on the first delta',
      chunks: [
        toolDelta({ index: 0, id: 'c', function: { name: 'f', arguments: null } }),
        toolDelta({ index: 0, function: { arguments: '{}' } }),
      ],
      args: '{}',
    },
    {
      quirk: 'never sent (a call without arguments)',
      chunks: [toolDelta({ index: 0, id: 'c', function: { name: 'f' } }), finish('tool_calls')],
      args: '',
    },
    {
      quirk: 'no function object at all',
      chunks: [toolDelta({ index: 0, id: 'c', type: 'function' }), toolDelta({ index: 0, function: { name: 'f' } })],
      args: '',
    },
  ])('arguments $quirk count as "" (D6)', ({ chunks, args }) => {
    expect(calls(chunks)).toEqual([{ id: 'c', name: 'f', arguments: args }])
  })

  test.each([
    { quirk: 'starting at 1 (Anthropic block index)', order: [1], ids: ['t1'] },
    { quirk: 'with gaps, 1 then 4', order: [1, 4], ids: ['t1', 't4'] },
    { quirk: 'arriving 4 then 1', order: [4, 1], ids: ['t1', 't4'] },
  ])('tool-call indexes $quirk are keys: output is dense and in index order (D7)', ({ order, ids }) => {
    const chunks = [delta({ role: 'assistant', content: 'Reading.' })]
    for (const i of order) chunks.push(toolDelta({ index: i, id: `t${i}`, type: 'function', function: { name: `f${i}`, arguments: '' } }))
    for (const i of order) chunks.push(toolDelta({ index: i, function: { arguments: `{"n":${i}}` } }))
    const result = toolCalls(complete(chunks))
    expect(result.map((c) => c.id)).toEqual(ids)
    expect(result.map((c) => c.function.arguments)).toEqual(ids.map((id) => `{"n":${id.slice(1)}}`))
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  test('provider fields on a call are deep-merged, and a metadata-only delta never starts a new call (Gemini compat) (D8)', () => {
    const result = toolCalls(
      complete([
        delta({
          role: 'assistant',
          tool_calls: [{ extra_content: { google: { thought_signature: 'sig' } }, function: { arguments: '{"cmd":"ls"}', name: 'bash' } }],
        }),
        delta({ tool_calls: [{ extra_content: { google: { other: 1 } } }] }),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: USAGE }),
      ]),
    )
    expect(result).toEqual([
      {
        id: '',
        type: 'function',
        function: { name: 'bash', arguments: '{"cmd":"ls"}' },
        extra_content: { google: { thought_signature: 'sig', other: 1 } },
      },
    ])
  })

  test('a tool call in the same chunk as finish_reason "tool_calls" is applied first (D9)', () => {
    const { completion, events } = accumulate([
      delta({ role: 'assistant', content: '' }),
      chunk([
        {
          index: 0,
          delta: { content: null, tool_calls: [{ id: 'gSIM', function: { name: 'weather', arguments: '{"l":"SF"}' } }] },
          finish_reason: 'tool_calls',
        },
      ]),
    ])
    expect(toolCalls(completion!).map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([['gSIM', 'weather', '{"l":"SF"}']])
    expect(types(events).slice(-7)).toEqual([
      'chunk',
      'tool_call.start',
      'tool_call.arguments.delta',
      'content.done',
      'tool_call.done',
      'finish',
      'done',
    ])
  })
})

describe('E. errors inside an HTTP 200 stream', () => {
  const before = encodeSSE([delta({ role: 'assistant', content: 'partial ' })], false)

  test.each([
    {
      quirk: 'a data: {"error"} payload (OpenAI, TGI, relays)',
      body: 'data: {"error":{"message":"quota exceeded","code":429,"type":"insufficient_quota"}}\n\n',
    },
    {
      quirk: 'event: error with the same payload (Groq)',
      body: 'event: error\ndata: {"error":{"message":"quota exceeded","code":429,"type":"insufficient_quota"}}\n\n',
    },
  ])('$quirk ends the stream with a ProviderError carrying the whole error object and the partial completion (E1/E3)', ({ body }) => {
    const { error, completion } = parsePieces([before + body + 'data: [DONE]\n\n'])
    expect(completion).toBeUndefined()
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({
      code: 'upstream_error',
      error: { message: 'quota exceeded', code: 429, type: 'insufficient_quota' },
      eventNumber: 2,
      partial: { choices: [{ message: { content: 'partial ' } }] },
    })
    expect(isDeltafoldError(error)).toBe(true)
  })

  test('extra error fields such as failed_generation are kept (E1)', () => {
    const body = 'event: error\ndata: {"error":{"message":"tool_use_failed","failed_generation":"<tool>x"}}\n\n'
    expect(parsePieces([before + body]).error).toMatchObject({ error: { message: 'tool_use_failed', failed_generation: '<tool>x' } })
  })

  test.each([
    { quirk: 'plain text data', data: 'data: upstream crashed\n\n', error: 'upstream crashed' },
    { quirk: 'empty data', data: 'data:\n\n', error: '' },
    { quirk: 'null data', data: 'data: null\n\n', error: null },
    { quirk: 'a bare error object', data: 'data: {"message":"bad"}\n\n', error: { message: 'bad' } },
  ])('event: error with $quirk is a ProviderError too (E3)', ({ data, error }) => {
    const result = parsePieces([before + 'event: error\n' + data])
    expect(result.error).toBeInstanceOf(ProviderError)
    expect((result.error as ProviderError).error).toEqual(error)
    expect(result.error).toMatchObject({ code: 'upstream_error', partial: { choices: [{ message: { content: 'partial ' } }] } })
  })

  test('an error inside a normal chunk: its choices and usage are applied first, and the later [DONE] is not success (E2)', () => {
    const body = encodeSSE([
      chunk([{ index: 0, delta: { content: 'cut' }, finish_reason: 'error' }], {
        usage: USAGE,
        error: { message: 'Token limit reached', code: 'length', metadata: { provider: 'MiniMax' } },
      }),
    ])
    const { error, completion } = parsePieces([before + body])
    expect(completion).toBeUndefined()
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({
      code: 'upstream_error',
      path: '$.error',
      error: { message: 'Token limit reached', code: 'length', metadata: { provider: 'MiniMax' } },
      partial: { usage: USAGE, choices: [{ finish_reason: 'error', message: { content: 'partial cut' } }] },
    })
  })
})

describe('events', () => {
  test('a simple stream emits its events in order with the choice index on each', () => {
    const { events, completion } = accumulate([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hel' }),
      delta({ content: 'lo' }, { logprobs: { content: [{ token: 'lo', logprob: -1, bytes: null, top_logprobs: [] }], refusal: null } }),
      finish('stop'),
      chunk([], { usage: USAGE }),
    ])
    expect(events.filter((e) => e.type !== 'chunk')).toEqual([
      { type: 'role', index: 0, role: 'assistant' },
      { type: 'content.delta', index: 0, delta: 'Hel' },
      { type: 'content.delta', index: 0, delta: 'lo' },
      { type: 'logprobs.content.delta', index: 0, content: [{ token: 'lo', logprob: -1, bytes: null, top_logprobs: [] }] },
      { type: 'content.done', index: 0, content: 'Hello' },
      { type: 'finish', index: 0, finishReason: 'stop' },
      { type: 'usage', usage: USAGE },
      { type: 'done', completion },
    ])
    expect(ofType(events, 'chunk')).toHaveLength(5)
  })

  test('refusal, reasoning and logprobs.refusal events carry their text and the choice index', () => {
    const { events } = accumulate([
      chunk([{ index: 1, delta: { reasoning_content: 'hm' }, finish_reason: null }]),
      chunk([{ index: 1, delta: { refusal: 'No' }, logprobs: { content: null, refusal: [{ token: 'No' }] }, finish_reason: 'stop' }]),
    ])
    expect(events.filter((e) => e.type !== 'chunk' && e.type !== 'done')).toEqual([
      { type: 'reasoning.delta', index: 1, delta: 'hm', field: 'reasoning_content' },
      { type: 'refusal.delta', index: 1, delta: 'No' },
      { type: 'logprobs.refusal.delta', index: 1, refusal: [{ token: 'No' }] },
      { type: 'refusal.done', index: 1, refusal: 'No' },
      { type: 'reasoning.done', index: 1, reasoning: 'hm', field: 'reasoning_content' },
      { type: 'finish', index: 1, finishReason: 'stop' },
    ])
  })

  test('tool_call.start waits for the name, then arguments deltas and done follow', () => {
    const { events } = accumulate([
      toolDelta({ index: 0, id: 'call_1', type: 'function' }),
      toolDelta({ index: 0, function: { name: 'weather', arguments: '' } }),
      toolDelta({ index: 0, function: { arguments: '{"a":' } }),
      toolDelta({ index: 0, function: { arguments: '1}' } }),
      finish('tool_calls'),
    ])
    expect(events.filter((e) => e.type !== 'chunk' && e.type !== 'done')).toEqual([
      { type: 'tool_call.start', index: 0, toolCallIndex: 0, id: 'call_1', name: 'weather' },
      { type: 'tool_call.arguments.delta', index: 0, toolCallIndex: 0, id: 'call_1', delta: '{"a":' },
      { type: 'tool_call.arguments.delta', index: 0, toolCallIndex: 0, id: 'call_1', delta: '1}' },
      { type: 'tool_call.done', index: 0, toolCallIndex: 0, id: 'call_1', name: 'weather', arguments: '{"a":1}' },
      { type: 'finish', index: 0, finishReason: 'tool_calls' },
    ])
  })

  test('tool_call.start fires before the first arguments delta even when no name ever comes', () => {
    const { events } = accumulate([toolDelta({ index: 0, function: { arguments: '{}' } })])
    expect(types(events).filter((t) => t.startsWith('tool_call'))).toEqual([
      'tool_call.start',
      'tool_call.arguments.delta',
      'tool_call.done',
    ])
    expect(ofType(events, 'tool_call.start')[0]).toMatchObject({ name: '', id: '' })
  })

  test('.done events fire at the end of the stream for choices that never finished', () => {
    const { events } = accumulate([delta({ content: 'a' }), toolDelta({ index: 0, id: 'c', function: { name: 'f' } })])
    expect(types(events).filter((t) => t !== 'chunk')).toEqual([
      'content.delta',
      'tool_call.start',
      'content.done',
      'tool_call.done',
      'done',
    ])
  })

  test('a repeated finish_reason with nothing new emits nothing; new text after a finish re-emits .done', () => {
    const { events } = accumulate([
      delta({ content: 'a' }, { finish_reason: 'stop' }),
      chunk([{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], { usage: USAGE }),
      delta({ content: 'b' }),
      finish('stop'),
    ])
    expect(types(events).filter((t) => t !== 'chunk')).toEqual([
      'content.delta',
      'content.done',
      'finish',
      'usage',
      'content.delta',
      'content.done',
      'finish',
      'done',
    ])
    expect(ofType(events, 'content.done').map((e) => e.content)).toEqual(['a', 'ab'])
  })

  test('a changed finish_reason emits a new finish event without repeating .done', () => {
    const { events } = accumulate([delta({ content: 'a' }), finish('stop'), finish('tool_calls')])
    expect(types(events).filter((t) => t !== 'chunk')).toEqual(['content.delta', 'content.done', 'finish', 'finish', 'done'])
    expect(ofType(events, 'finish').map((e) => e.finishReason)).toEqual(['stop', 'tool_calls'])
  })

  test('empty string deltas update the completion but emit no delta events', () => {
    const { events, completion } = accumulate([delta({ role: 'assistant', content: '', refusal: '', reasoning_content: '' })])
    expect(types(events)).toEqual(['chunk', 'role', 'content.done', 'refusal.done', 'reasoning.done', 'done'])
    expect(message(completion!)).toMatchObject({ content: '', refusal: '', reasoning_content: '' })
  })

  test('the usage event carries the merged usage so far', () => {
    const { events } = accumulate([
      chunk([], { usage: { prompt_tokens: 3, completion_tokens: null, total_tokens: null } }),
      chunk([], { usage: { completion_tokens: 4, total_tokens: 7 } }),
    ])
    expect(ofType(events, 'usage').map((e) => e.usage)).toEqual([
      { prompt_tokens: 3 },
      { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    ])
  })

  test('events carry copies: mutating them does not change the completion', () => {
    const { completion, events } = accumulate([
      delta({ content: 'a' }, { logprobs: { content: [{ token: 'a' }], refusal: null } }),
      chunk([], { usage: USAGE }),
    ])
    ofType(events, 'logprobs.content.delta')[0]!.content[0]!.token = 'MUTATED'
    ofType(events, 'usage')[0]!.usage.total_tokens = -1
    expect(completion!.choices[0]!.logprobs!.content![0]!.token).toBe('a')
    expect(completion!.usage!.total_tokens).toBe(12)
  })

  test('the completion is the same with and without a listener', () => {
    const chunks = [
      delta({ role: 'assistant', content: 'x', reasoning: 'r' }),
      toolDelta({ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }),
      finish('stop'),
    ]
    const acc = createChatCompletionAccumulator()
    for (const c of chunks) acc.push(c)
    expect(acc.finish()).toEqual(complete(chunks))
  })

  test('parseArguments: arguments deltas carry the partial value, done carries parsed or parseError ("" parses as {})', () => {
    const { events } = accumulate(
      [
        toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: '{"city":"Par' } }),
        toolDelta({ index: 0, function: { arguments: 'is","n":[1' } }),
        toolDelta({ index: 0, function: { arguments: ']}' } }),
        toolDelta({ index: 1, id: 'b', function: { name: 'g', arguments: '{"p":"App\\Http"}' } }),
        toolDelta({ index: 2, id: 'c', function: { name: 'h' } }),
        finish('tool_calls'),
      ],
      { parseArguments: true },
    )
    const deltas = ofType(events, 'tool_call.arguments.delta').filter((e) => e.id === 'a')
    expect(deltas.map((e) => e.delta)).toEqual(['{"city":"Par', 'is","n":[1', ']}'])
    expect(deltas.at(-1)!.partial).toEqual({ city: 'Paris', n: [1] })
    const dones = ofType(events, 'tool_call.done')
    expect(dones[0]).toMatchObject({ id: 'a', parsed: { city: 'Paris', n: [1] } })
    expect(dones[0]).not.toHaveProperty('parseError')
    expect(dones[1]).toMatchObject({ id: 'b', arguments: '{"p":"App\\Http"}' })
    expect(dones[1]!.parseError).toBeInstanceOf(Error)
    expect(dones[2]).toMatchObject({ id: 'c', arguments: '', parsed: {} })
  })

  test('parseArguments: JSON content is parsed incrementally; plain text content reports a parseError on content.done', () => {
    const json = accumulate([delta({ content: '{"a":' }), delta({ content: '[1,2]}' }), finish('stop')], { parseArguments: true })
    expect(ofType(json.events, 'content.delta').at(-1)!.partial).toEqual({ a: [1, 2] })
    expect(ofType(json.events, 'content.done')[0]).toMatchObject({ content: '{"a":[1,2]}', parsed: { a: [1, 2] } })
    const text = accumulate([delta({ content: 'Hello' }), delta({ content: ' there' })], { parseArguments: true })
    expect(ofType(text.events, 'content.done')[0]!.parseError).toBeInstanceOf(Error)
    expect(message(text.completion!).content).toBe('Hello there')
  })

  test('an exception thrown by onEvent propagates and stops the accumulator', () => {
    const boom = new Error('listener failed')
    const acc = createChatCompletionAccumulator({
      onEvent(e) {
        if (e.type === 'content.delta' && e.delta === 'b') throw boom
      },
    })
    acc.push(delta({ content: 'a' }))
    expect(() => acc.push(delta({ content: 'b' }))).toThrow(boom)
    expect(() => acc.push(delta({ content: 'c' }))).toThrow(boom)
    expect(() => acc.finish()).toThrow(boom)
    expect(acc.snapshot().choices[0]!.message.content).toBe('ab')
  })
})

describe('strict mode', () => {
  test.each([
    {
      leniency: 'a stream that ends without finish_reason',
      chunks: [delta({ content: 'a' })],
      code: 'unexpected_eof',
      path: '$.choices[0].finish_reason',
    },
    {
      leniency: 'a missing choice index',
      chunks: [chunk([{ delta: { content: 'a' } }])],
      code: 'invalid_index',
      path: '$.choices[0].index',
    },
    {
      leniency: 'a missing tool-call index',
      chunks: [toolDelta({ id: 'c', function: { name: 'f' } })],
      code: 'invalid_index',
      path: '$.choices[0].delta.tool_calls[0].index',
    },
    {
      leniency: 'a tool-call index reused by another id',
      chunks: [toolDelta({ index: 0, id: 'a' }), toolDelta({ index: 0, id: 'b' })],
      code: 'index_conflict',
      path: '$.choices[0].delta.tool_calls[0].index',
    },
    {
      leniency: 'object arguments',
      chunks: [toolDelta({ index: 0, id: 'c', function: { arguments: { a: 1 } } })],
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    },
    {
      leniency: 'a numeric tool-call id',
      chunks: [toolDelta({ index: 0, id: 7 })],
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].id',
    },
    {
      leniency: 'a content parts array',
      chunks: [delta({ content: [{ type: 'text', text: 'a' }] })],
      code: 'invalid_type',
      path: '$.choices[0].delta.content',
    },
    {
      leniency: 'an empty finish_reason',
      chunks: [delta({ content: 'a' }, { finish_reason: '' })],
      code: 'invalid_chunk',
      path: '$.choices[0].finish_reason',
    },
    {
      leniency: 'a finish_reason that changes',
      chunks: [finish('stop'), finish('length')],
      code: 'invalid_chunk',
      path: '$.choices[0].finish_reason',
    },
  ])('strict: $leniency raises $code (default mode accepts it)', ({ chunks, code, path }) => {
    const input = code === 'unexpected_eof' ? chunks : [...chunks, finish('stop')]
    expect(accumulate(input).error).toBeUndefined()
    const error = failure(input, { strict: true })
    expect(error).toMatchObject({ name: 'DeltafoldError', code, path })
    expect(error.partial).toBeDefined()
  })

  test('strict: a well-formed OpenAI stream (with a repeated identical finish_reason) passes', () => {
    const completion = complete(
      [
        delta({ role: 'assistant', content: '' }),
        delta({ content: 'a' }),
        toolDelta({ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }),
        finish('stop'),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: USAGE }),
      ],
      { strict: true },
    )
    expect(completion.choices[0]!.finish_reason).toBe('stop')
  })
})

describe('limits', () => {
  test.each([
    { what: 'choice index 1e9', chunks: [chunk([{ index: 1e9, delta: { content: 'a' } }])], path: '$.choices[0].index' },
    { what: 'choice index at maxChoices', chunks: [chunk([{ index: 128, delta: {} }])], path: '$.choices[0].index' },
    { what: 'choice index -1', chunks: [chunk([{ index: -1, delta: {} }])], path: '$.choices[0].index' },
    { what: 'choice index 0.5', chunks: [chunk([{ index: 0.5, delta: {} }])], path: '$.choices[0].index' },
    { what: 'choice index "0"', chunks: [chunk([{ index: '0', delta: {} }])], path: '$.choices[0].index' },
    { what: 'tool-call index 1e9', chunks: [toolDelta({ index: 1e9, id: 'a' })], path: '$.choices[0].delta.tool_calls[0].index' },
    {
      what: 'tool-call index at maxToolCalls',
      chunks: [toolDelta({ index: 128, id: 'a' })],
      path: '$.choices[0].delta.tool_calls[0].index',
    },
    {
      what: 'tool-call index "__proto__"',
      chunks: [toolDelta({ index: '__proto__', id: 'a' })],
      path: '$.choices[0].delta.tool_calls[0].index',
    },
  ])('an index must be a non-negative safe integer below its limit: $what is invalid_index', ({ chunks, path }) => {
    const error = failure([delta({ content: 'kept' }), ...chunks])
    expect(error).toMatchObject({ code: 'invalid_index', path, partial: { choices: [{ message: { content: 'kept' } }] } })
  })

  test('maxChoices: an index at the configured limit is rejected, below it accepted', () => {
    expect(complete([chunk([{ index: 2, delta: {} }])], { limits: { maxChoices: 3 } }).choices).toHaveLength(1)
    expect(failure([chunk([{ index: 3, delta: {} }])], { limits: { maxChoices: 3 } })).toMatchObject({ code: 'invalid_index' })
  })

  test('maxToolCalls: more calls than the limit (ids sharing an index) is limit_exceeded', () => {
    const chunks = [0, 1, 2].map((i) => toolDelta({ index: 0, id: `c${i}`, function: { name: 'f' } }))
    expect(toolCalls(complete(chunks.slice(0, 2), { limits: { maxToolCalls: 2 } }))).toHaveLength(2)
    const error = failure(chunks, { limits: { maxToolCalls: 2 } })
    expect(error).toMatchObject({ code: 'limit_exceeded', path: '$.choices[0].delta.tool_calls[0]' })
    expect(toolCalls(error.partial as never)).toHaveLength(2)
  })

  test.each([
    {
      what: 'content',
      chunks: [delta({ content: 'x'.repeat(60) }), delta({ content: 'x'.repeat(60) })],
      path: '$.choices[0].delta.content',
    },
    {
      what: 'tool arguments',
      chunks: [toolDelta({ index: 0, id: 'c', function: { arguments: 'x'.repeat(150) } })],
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    },
    { what: 'an unknown string field', chunks: [delta({ transcript: 'x'.repeat(150) })], path: '$.choices[0].delta.transcript' },
    {
      what: 'a top-level provider extra',
      chunks: [chunk([], { citations: Array.from({ length: 20 }, () => 'https://example.com/') })],
      path: '$.citations',
    },
    {
      what: 'logprobs entries',
      chunks: [delta({}, { logprobs: { content: Array.from({ length: 20 }, () => ({ token: 'tok' })), refusal: null } })],
      path: /^\$\.choices\[0\]\.logprobs\.content\[\d+\]$/,
    },
  ])('maxBytes: accumulated $what beyond the budget is limit_exceeded', ({ chunks, path }) => {
    const error = failure(chunks, { limits: { maxBytes: 100 } })
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(error.path).toMatch(path)
    expect(complete(chunks, { limits: { maxBytes: 10_000 } })).toBeDefined()
  })

  /** `levels` containers nested around a leaf: `{ d: { d: … 'leaf' } }` or `[[…1]]`. */
  function nest(levels: number, array = false): unknown {
    let value: unknown = array ? 1 : 'leaf'
    for (let i = 0; i < levels; i++) value = array ? [value] : { d: value }
    return value
  }

  test('maxDepth: a kept unknown value with more nested containers than the limit is max_depth', () => {
    expect(message(complete([delta({ meta: nest(5) })], { limits: { maxDepth: 5 } })).meta).toEqual(nest(5))
    expect(failure([delta({ meta: nest(5) })], { limits: { maxDepth: 4 } })).toMatchObject({
      code: 'max_depth',
      path: '$.choices[0].delta.meta',
    })
  })

  test('maxDepth: the default of 64 lets 64 nested containers through, not 65', () => {
    expect((complete([chunk([], { extra: nest(64, true) })]) as unknown as Loose).extra).toEqual(nest(64, true))
    expect(failure([chunk([], { extra: nest(65, true) })])).toMatchObject({ code: 'max_depth', path: '$.extra' })
  })
})

describe('snapshot()', () => {
  test('is a copy: mutating it changes nothing inside the accumulator', () => {
    const acc = createChatCompletionAccumulator()
    acc.push(delta({ content: 'a', meta: { k: 1 } }, {}, { usage: USAGE }))
    const snap = acc.snapshot()
    snap.choices[0]!.message.content = 'MUTATED'
    ;(snap.choices[0]!.message as unknown as Loose).meta = null
    snap.usage!.total_tokens = 0
    expect(acc.snapshot()).toMatchObject({ usage: USAGE, choices: [{ message: { content: 'a', meta: { k: 1 } } }] })
    const final = acc.finish()
    const after = acc.snapshot()
    after.choices.length = 0
    expect(acc.snapshot()).toEqual(final)
    expect(acc.snapshot()).not.toBe(final)
  })

  test('never throws: before any chunk, after an error, after finish', () => {
    const acc = createChatCompletionAccumulator()
    expect(acc.snapshot()).toEqual({ id: '', object: 'chat.completion', created: 0, model: '', choices: [] })
    acc.push(delta({ content: 'a' }))
    expect(() => acc.push(delta({ content: 5 }))).toThrow(expect.objectContaining({ code: 'invalid_type' }))
    expect(acc.snapshot().choices[0]!.message.content).toBe('a')
    expect(() => acc.finish()).toThrow(expect.objectContaining({ code: 'invalid_type' }))
    expect(acc.snapshot().choices[0]!.message.content).toBe('a')
  })
})

describe('finish()', () => {
  test('returns the final completion once, the same object on later calls, and emits done once', () => {
    const events: CompletionEvent[] = []
    const acc = createChatCompletionAccumulator({ onEvent: (e) => events.push(e) })
    acc.push(delta({ content: 'a' }))
    const first = acc.finish()
    expect(acc.finish()).toBe(first)
    expect(ofType(events, 'done')).toHaveLength(1)
    expect(ofType(events, 'content.done')).toHaveLength(1)
    expect(acc.chunkCount).toBe(1)
  })

  test('a stream that never sent a finish_reason ends with null, without throwing', () => {
    expect(complete([delta({ content: 'a' })]).choices[0]!.finish_reason).toBeNull()
  })

  test('after an error it throws that same error', () => {
    const acc = createChatCompletionAccumulator()
    let thrown: unknown
    try {
      acc.push(chunk([{ index: -1 }]))
    } catch (e) {
      thrown = e
    }
    expect(thrown).toMatchObject({ code: 'invalid_index' })
    expect(() => acc.push(delta({ content: 'a' }))).toThrow(thrown as Error)
    expect(() => acc.finish()).toThrow(thrown as Error)
  })
})

describe('misuse', () => {
  test.each([
    {
      what: 'onEvent is not a function',
      make: () => createChatCompletionAccumulator({ onEvent: 'log' as never }),
      message: /onEvent must be a function/,
    },
    {
      what: 'a limit is zero',
      make: () => createChatCompletionAccumulator({ limits: { maxChoices: 0 } }),
      message: /limits\.maxChoices must be a positive number/,
    },
    {
      what: 'a limit is not a number',
      make: () => createChatCompletionAccumulator({ limits: { maxBytes: '1' as never } }),
      message: /limits\.maxBytes/,
    },
    { what: 'options is null', make: () => createChatCompletionAccumulator(null as never), message: /expects an options object/ },
  ])('creating an accumulator when $what throws a TypeError that says how to fix it', ({ make, message: text }) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(text)
  })

  test('push() after finish() throws a TypeError', () => {
    const acc = createChatCompletionAccumulator()
    acc.finish()
    expect(() => acc.push(delta({ content: 'a' }))).toThrow(TypeError)
    expect(() => acc.push(delta({ content: 'a' }))).toThrow(/create a new accumulator/)
  })

  test('feed() after end() on the stream parser throws a TypeError; end() again returns the same completion', () => {
    const parser = createChatCompletionStreamParser()
    parser.feed(encodeSSE([delta({ content: 'a' })]))
    const completion = parser.end()
    expect(parser.end()).toBe(completion)
    expect(() => parser.feed('data: {}\n\n')).toThrow(TypeError)
  })

  test.each([
    { what: 'a string', value: 'data' },
    { what: 'null', value: null },
    { what: 'an array', value: [] },
  ])('pushing $what is an invalid_chunk error, not a crash', ({ value }) => {
    expect(failure([value])).toMatchObject({ name: 'DeltafoldError', code: 'invalid_chunk', path: '$' })
  })

  test.each([
    { field: 'content: 5', chunk: delta({ content: 5 }), path: '$.choices[0].delta.content' },
    { field: 'content: {}', chunk: delta({ content: {} }), path: '$.choices[0].delta.content' },
    { field: 'refusal: true', chunk: delta({ refusal: true }), path: '$.choices[0].delta.refusal' },
    { field: 'role: 1', chunk: delta({ role: 1 }), path: '$.choices[0].delta.role' },
    { field: 'reasoning: []', chunk: delta({ reasoning: [] }), path: '$.choices[0].delta.reasoning' },
    { field: 'tool_calls: {}', chunk: delta({ tool_calls: {} }), path: '$.choices[0].delta.tool_calls' },
    {
      field: 'arguments: 5',
      chunk: toolDelta({ index: 0, function: { arguments: 5 } }),
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    },
    {
      field: 'function name: 5',
      chunk: toolDelta({ index: 0, function: { name: 5 } }),
      path: '$.choices[0].delta.tool_calls[0].function.name',
    },
    { field: 'finish_reason: 1', chunk: delta({}, { finish_reason: 1 }), path: '$.choices[0].finish_reason' },
    { field: 'choices: {}', chunk: chunk({}), path: '$.choices' },
    { field: 'usage: 5', chunk: chunk([], { usage: 5 }), path: '$.usage' },
    { field: 'created: "now"', chunk: chunk([], { created: 'now' }), path: '$.created' },
    { field: 'logprobs.content: {}', chunk: delta({}, { logprobs: { content: {} } }), path: '$.choices[0].logprobs.content' },
  ])('a known field of the wrong type ($field) is invalid_type with its path', ({ chunk: c, path }) => {
    expect(failure([c])).toMatchObject({ code: 'invalid_type', path })
  })
})
