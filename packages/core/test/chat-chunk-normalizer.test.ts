import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatChunkNormalizer,
  createChatCompletionAccumulator,
  createChatCompletionNormalizer,
  type ChatCompletionChunk,
  type DeltafoldError,
  type NormalizedChunk,
} from '@deltafold/core'

type Loose = Record<string, any>
const meta = { id: 'c1', object: 'chat.completion.chunk', created: 7, model: 'm' }
const chunk = (choices: unknown[], extra: Loose = {}): Loose => ({ ...meta, choices, ...extra })

/** Normalizes the chunks and ends the stream; returns every output chunk. */
function normalize(chunks: Loose[], options?: Parameters<typeof createChatChunkNormalizer>[0]): Loose[] {
  const normalizer = createChatChunkNormalizer(options)
  const out: NormalizedChunk[] = []
  for (const c of chunks) out.push(...normalizer.push(c))
  out.push(...normalizer.end())
  return out as Loose[]
}

/** The delta of choice 0 in each output chunk that has one. */
const deltas = (out: Loose[]) => out.flatMap((c) => (c.choices ?? []).filter((x: Loose) => x.index === 0).map((x: Loose) => x.delta))

function fold(chunks: Loose[]) {
  const acc = createChatCompletionAccumulator()
  for (const c of chunks) acc.push(c)
  return acc.finish()
}

describe('metadata', () => {
  test('every chunk carries the first non-empty id, created and model; a choice-less chunk before them is held', () => {
    const out = normalize([
      { id: '', object: 'chat.completion.chunk', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0 }] },
      chunk([{ index: 0, delta: { content: 'Hi' } }]),
      chunk([{ index: 0, delta: { content: '!' } }], { id: 'other', model: 'other' }),
    ])
    expect(out.map((c) => [c.id, c.object, c.created, c.model])).toEqual(Array(out.length).fill(['c1', 'chat.completion.chunk', 7, 'm']))
    expect(out[0]!.prompt_filter_results).toEqual([{ prompt_index: 0 }])
  })

  test('choice-less chunks are held for the metadata at most 8 at a time', () => {
    const normalizer = createChatChunkNormalizer()
    const early = { id: '', object: 'chat.completion.chunk', created: 0, model: '', choices: [], note: 'x' }
    const sent = Array.from({ length: 8 }, () => normalizer.push(early).length)
    expect(sent).toEqual([0, 0, 0, 0, 0, 0, 0, 8])
  })

  test('padding fields are dropped and unknown top-level fields kept', () => {
    const out = normalize([chunk([{ index: 0, delta: { content: 'Hi' } }], { obfuscation: 'xyz', p: 'abc', citations: ['u'] })])
    expect(out[0]).not.toHaveProperty('obfuscation')
    expect(out[0]).not.toHaveProperty('p')
    expect(out[0]!.citations).toEqual(['u'])
  })
})

describe('choices', () => {
  test('a choice without index gets index 0, and its first delta gets role assistant', () => {
    const out = normalize([{ ...meta, choices: [{ delta: { content: 'Hi' } }] }])
    expect(out[0]!.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null })
  })

  test('a repeated role is sent once', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { role: 'assistant', content: 'a' } }]),
      chunk([{ index: 0, delta: { role: 'assistant', content: 'b' } }]),
    ])
    expect(deltas(out).slice(0, 2)).toEqual([{ role: 'assistant', content: 'a' }, { content: 'b' }])
  })

  test('a repeated finish_reason is sent once, and a clean end adds stop to a choice that never finished', () => {
    const out = normalize([
      chunk([
        { index: 0, delta: { content: 'a' }, finish_reason: 'stop' },
        { index: 1, delta: { content: 'b' } },
      ]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ])
    const finishes = out.flatMap((c) =>
      c.choices.filter((x: Loose) => x.finish_reason !== null).map((x: Loose) => [x.index, x.finish_reason]),
    )
    expect(finishes).toEqual([
      [0, 'stop'],
      [1, 'stop'],
    ])
  })

  test('a clean end adds tool_calls to a choice with tool calls that never finished', () => {
    const out = normalize([chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] } }])])
    expect(out.at(-1)!.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'tool_calls' }])
  })
})

describe('tool calls', () => {
  test('indexes become 0, 1, … in order of appearance; id, type and name come once; arguments pass as they arrive', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'a', function: { name: 'get', arguments: '' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'a', type: 'function', function: { name: 'get', arguments: '{"x"' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: ':1}' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 3, id: 'b', type: 'function', function: { name: 'put' } }] } }]),
    ])
    expect(deltas(out).flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'get', arguments: '' } },
      { index: 0, function: { arguments: '{"x"' } },
      { index: 0, function: { arguments: ':1}' } },
      { index: 1, id: 'b', type: 'function', function: { name: 'put', arguments: '' } },
    ])
  })

  test('calls that share an index with different ids (Gemini) get their own indexes', () => {
    const input = [
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] } }]),
      chunk([
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] },
          finish_reason: 'tool_calls',
        },
      ]),
    ]
    const out = normalize(input)
    expect(
      deltas(out)
        .flatMap((d) => d.tool_calls ?? [])
        .map((c: Loose) => [c.index, c.id]),
    ).toEqual([
      [0, 'a'],
      [1, 'b'],
    ])
    expect(fold(out)).toEqual(fold(input))
  })

  test('a call without index or id continues the most recent call, as the fold does', () => {
    const input = [
      chunk([{ index: 0, delta: { tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{"a"' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ function: { arguments: ':1}' } }] }, finish_reason: 'tool_calls' }]),
    ]
    const out = normalize(input)
    expect(deltas(out).flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"a"' } },
      { index: 0, function: { arguments: ':1}' } },
    ])
    expect(fold(out)).toEqual(fold(input))
  })

  test('object arguments (llama.cpp, TGI) are stringified once', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: { city: 'Paris' } } }] } }]),
    ])
    expect(deltas(out)[0].tool_calls[0].function.arguments).toBe('{"city":"Paris"}')
  })

  test('custom tool calls pass through with their input fragments', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', type: 'custom', custom: { name: 'sql', input: 'SELECT' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, custom: { input: ' 1' } }] } }]),
    ])
    expect(deltas(out).flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'a', type: 'custom', custom: { name: 'sql', input: 'SELECT' } },
      { index: 0, custom: { input: ' 1' } },
    ])
  })

  test('a delta that only repeats the header (Kimi) sends nothing for the call', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f' } }] } }]),
    ])
    expect(deltas(out).filter((d) => d.tool_calls !== undefined)).toHaveLength(1)
  })
})

describe('reasoning', () => {
  test.each([
    ['reasoning_content', 'reasoning_content'],
    ['reasoning', 'reasoning_content'],
  ] as const)('%s is written as the default field %s', (input, field) => {
    const out = normalize([chunk([{ index: 0, delta: { [input]: 'Hmm' } }])])
    expect(deltas(out)[0]).toEqual({ role: 'assistant', [field]: 'Hmm' })
  })

  test('reasoningField reasoning writes every reasoning text under reasoning', () => {
    const out = normalize([chunk([{ index: 0, delta: { reasoning_content: 'a' } }]), chunk([{ index: 0, delta: { reasoning: 'b' } }])], {
      reasoningField: 'reasoning',
    })
    expect(deltas(out).slice(0, 2)).toEqual([{ role: 'assistant', reasoning: 'a' }, { reasoning: 'b' }])
  })

  test('one delta with both names and the same text counts once, as in the fold', () => {
    const out = normalize([chunk([{ index: 0, delta: { reasoning_content: 'x', reasoning: 'x' } }])])
    expect(deltas(out)[0]).toEqual({ role: 'assistant', reasoning_content: 'x' })
  })

  test("Mistral's thinking and text content parts become reasoning and content", () => {
    const out = normalize([
      chunk([{ index: 0, delta: { content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] }] } }]),
      chunk([{ index: 0, delta: { content: [{ type: 'text', text: 'Hi' }] } }]),
    ])
    expect(deltas(out).slice(0, 2)).toEqual([{ role: 'assistant', reasoning_content: 'hmm' }, { content: 'Hi' }])
  })

  test('reasoning_details are kept', () => {
    const details = [{ type: 'reasoning.text', text: 'a', index: 0 }]
    const out = normalize([chunk([{ index: 0, delta: { reasoning_details: details } }])])
    expect(deltas(out)[0].reasoning_details).toEqual(details)
  })
})

describe('usage', () => {
  test('usage is merged and sent once, last, in a usage-only chunk', () => {
    const out = normalize([
      chunk([{ index: 0, delta: { content: 'a' } }], { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: { completion_tokens: 2, total_tokens: 5 } }),
    ])
    expect(out.filter((c) => c.usage !== undefined)).toEqual([
      { ...meta, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ])
    expect(out.at(-1)!.usage).toBeDefined()
  })

  test("Groq's x_groq.usage becomes usage; x_groq itself is kept", () => {
    const xGroq = { id: 'req', usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, queue_time: 0.1 } }
    const out = normalize([chunk([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }], { x_groq: xGroq })])
    expect(out[0]!.x_groq).toEqual(xGroq)
    expect(out.at(-1)!.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
  })
})

describe('errors', () => {
  test('a chunk with a provider error gives its data, the usage so far and the error, then the normalizer is closed', () => {
    const normalizer = createChatChunkNormalizer()
    normalizer.push(chunk([{ index: 0, delta: { content: 'a' } }], { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }))
    const out = normalizer.push(chunk([{ index: 0, delta: { content: 'b' } }], { error: { message: 'boom', code: 500 } })) as Loose[]
    expect(out.map((c) => (c.error ? 'error' : c.usage ? 'usage' : c.choices[0].delta.content))).toEqual(['b', 'usage', 'error'])
    expect(out.at(-1)).toEqual({ error: { message: 'boom', code: 500 } })
    expect(normalizer.closed).toBe(true)
    expect(normalizer.end()).toEqual([])
    expect((normalizer.failure as DeltafoldError).code).toBe('upstream_error')
  })

  test('bad input throws the typed error with partial; fail() then ends the output with an invalid_stream error', () => {
    const normalizer = createChatChunkNormalizer()
    normalizer.push(chunk([{ index: 0, delta: { content: 'a' } }]))
    let error: DeltafoldError | undefined
    try {
      normalizer.push(chunk([{ index: 0, delta: { content: 5 } }]))
    } catch (e) {
      error = e as DeltafoldError
    }
    expect(error?.code).toBe('invalid_type')
    expect((error?.partial as Loose).choices[0].message.content).toBe('a')
    expect(normalizer.fail(error)).toEqual([{ error: expect.objectContaining({ type: 'invalid_stream', code: 'invalid_type' }) }])
  })

  test('options: a reasoningField other than the two names is a TypeError saying which', () => {
    expect(() => createChatChunkNormalizer({ reasoningField: 'thoughts' as never })).toThrow(/reasoning_content' or 'reasoning'/)
  })
})

describe('createChatCompletionNormalizer (bytes)', () => {
  const body =
    'data: {"id":"c1","model":"m","created":7,"choices":[{"delta":{"content":"Hel"}}]}\n\n' +
    ': keep-alive\n\n' +
    'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n'

  test('each output event is returned by the feed that completes its input event', () => {
    const normalizer = createChatCompletionNormalizer()
    const first = body.indexOf('\n\n') + 2
    expect(normalizer.feed(body.slice(0, first - 1))).toBe('')
    expect(normalizer.feed(body.slice(first - 1, first))).toContain('"Hel"')
    expect(normalizer.feed(body.slice(first))).toContain('"lo"')
    expect(normalizer.end()).toMatch(/"finish_reason":"stop".*\n\ndata: \[DONE\]\n\n$/s)
  })

  test('the output folds to the input fold with the finish reason made canonical', async () => {
    const normalizer = createChatCompletionNormalizer()
    const out = normalizer.feed(body) + normalizer.end()
    const expected = await accumulateChatCompletion([body])
    expected.choices[0]!.finish_reason = 'stop'
    expect(await accumulateChatCompletion([out])).toEqual(expected)
  })

  test('comments are forwarded where they come (keep-alives), idempotently; comments: false drops them', () => {
    const normalizer = createChatCompletionNormalizer()
    const out = normalizer.feed(body) + normalizer.end()
    expect(out).toMatch(/"Hel".*\n\n: keep-alive\n\ndata: .*"lo"/s)
    const again = createChatCompletionNormalizer()
    expect(again.feed(out) + again.end()).toBe(out)
    const quiet = createChatCompletionNormalizer({ comments: false })
    expect(quiet.feed(body) + quiet.end()).not.toContain('keep-alive')
  })

  test('input after [DONE] is ignored and done is set', () => {
    const normalizer = createChatCompletionNormalizer()
    normalizer.feed(body + 'data: [DONE]\n\n')
    expect(normalizer.done).toBe(true)
    expect(normalizer.feed('data: {oops}\n\n')).toBe('')
    expect(normalizer.end()).toBe('')
  })

  test('failClosed: bad input throws the typed error with its event number and byte offset', () => {
    const normalizer = createChatCompletionNormalizer({ failClosed: true })
    expect(() => normalizer.feed(body + 'data: {oops}\n\n')).toThrow(expect.objectContaining({ code: 'invalid_json', eventNumber: 3 }))
  })

  test('fail(): a source that broke ends the output with a stream_failed error event', () => {
    const normalizer = createChatCompletionNormalizer()
    normalizer.feed(body)
    expect(normalizer.fail(new Error('socket reset'))).toBe(
      'data: {"error":{"message":"socket reset","type":"stream_failed","param":null,"code":"stream_failed"}}\n\n',
    )
  })

  test('translator: events of another format are turned into chunks first', () => {
    const translator = {
      push: (event: { data: string }) => [chunk([{ index: 0, delta: { content: event.data } }]) as unknown as ChatCompletionChunk],
      end: () => [chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]) as unknown as ChatCompletionChunk],
    }
    const normalizer = createChatCompletionNormalizer({ translator })
    const out = normalizer.feed('event: text\ndata: Hi\n\n') + normalizer.end()
    expect(out).toContain('"content":"Hi"')
    expect(out).toContain('"finish_reason":"stop"')
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
  })
})
