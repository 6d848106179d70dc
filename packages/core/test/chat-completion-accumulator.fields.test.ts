// Fields the fold must neither invent nor merge away: custom tool calls, reasoning dialects that
// stay apart, audio, annotations, unknown sub-fields of every walked object, and legacy
// text_completion streams. Byte-split tests go through the stream parser, so the fast path and the
// generic path both run.
import { describe, expect, test } from 'vitest'
import { createChatCompletionAccumulator, isDeltafoldError, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { makeTemplate } from '../src/chat/internal/fast-path.js'
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
  seededRandom,
  splitBytes,
  toolDelta,
  type Loose,
} from './chunk-helpers.js'

function ofType<T extends CompletionEvent['type']>(
  events: readonly CompletionEvent[],
  type: T,
): Array<Extract<CompletionEvent, { type: T }>> {
  return events.filter((e): e is Extract<CompletionEvent, { type: T }> => e.type === type)
}

const bytesOf = (chunks: readonly unknown[]): Uint8Array => new TextEncoder().encode(encodeSSE(chunks))

/** Every split of the stream's bytes in two (and whole), fast path on and off: one completion and one event list. */
function expectSameAtEveryByte(
  chunks: readonly unknown[],
  options: { parseArguments?: boolean } = {},
): { completion: ChatCompletion; events: CompletionEvent[] } {
  const bytes = bytesOf(chunks)
  const whole = parsePieces([bytes], { ...options, fastPath: false })
  expect(whole.error).toBeUndefined()
  const strip = (events: CompletionEvent[]) => JSON.parse(JSON.stringify(events)) as unknown
  for (let at = 0; at <= bytes.length; at++) {
    for (const fastPath of [true, false]) {
      const got = parsePieces(splitBytes(bytes, [at]), { ...options, fastPath })
      expect(got.error).toBeUndefined()
      expect(got.completion).toEqual(whole.completion)
      expect(strip(got.events)).toEqual(strip(whole.events))
    }
  }
  return { completion: whole.completion!, events: whole.events }
}

describe('custom tool calls', () => {
  const issueExample = [
    delta({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'code_exec', input: '' } }] }),
    toolDelta({ index: 0, custom: { input: 'print("hel' } }),
    toolDelta({ index: 0, custom: { input: 'lo")' } }),
    finish('tool_calls'),
  ]

  test('custom tool calls: input fragments are appended, and no function member is invented', () => {
    const completion = complete(issueExample)
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_1', type: 'custom', custom: { name: 'code_exec', input: 'print("hello")' } },
    ])
  })

  test('custom tool calls: split at every byte, fast path on or off, fold to the same call', () => {
    const { completion } = expectSameAtEveryByte(issueExample)
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_1', type: 'custom', custom: { name: 'code_exec', input: 'print("hello")' } },
    ])
  })

  test('custom tool calls: input split at random byte boundaries folds to the same input', () => {
    const input = 'for i in range(3):\n    print("é😀", i)  # naïve\n'
    const pieces = [...input].reduce<string[]>(
      (list, ch, i) => (i % 3 === 0 ? [...list, ch] : [...list.slice(0, -1), list[list.length - 1]! + ch]),
      [],
    )
    const chunks = [
      delta({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_x', type: 'custom', custom: { name: 'python', input: '' } }] }),
      ...pieces.map((p) => toolDelta({ index: 0, custom: { input: p } })),
      finish('tool_calls'),
    ]
    const bytes = bytesOf(chunks)
    const random = seededRandom(19)
    for (let run = 0; run < 50; run++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * bytes.length))
      const { completion, error } = parsePieces(splitBytes(bytes, cuts))
      expect(error).toBeUndefined()
      expect(completion!.choices[0]!.message.tool_calls).toEqual([{ id: 'call_x', type: 'custom', custom: { name: 'python', input } }])
    }
  })

  test('custom tool calls: parallel custom and function calls in one choice each keep their own member', () => {
    const completion = complete([
      delta({
        role: 'assistant',
        tool_calls: [{ index: 0, id: 'call_f', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      }),
      delta({ tool_calls: [{ index: 1, id: 'call_c', type: 'custom', custom: { name: 'code_exec', input: '' } }] }),
      toolDelta({ index: 0, function: { arguments: '{"city":' } }),
      toolDelta({ index: 1, custom: { input: 'ls ' } }),
      toolDelta({ index: 0, function: { arguments: '"Paris"}' } }),
      toolDelta({ index: 1, custom: { input: '-la' } }),
      finish('tool_calls'),
    ])
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_f', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_c', type: 'custom', custom: { name: 'code_exec', input: 'ls -la' } },
    ])
  })

  test('custom tool calls: matched by id first, like function calls', () => {
    const completion = complete([
      delta({ tool_calls: [{ index: 0, id: 'call_c', type: 'custom', custom: { name: 'sh', input: 'a' } }] }),
      delta({ tool_calls: [{ index: 5, id: 'call_c', custom: { input: 'b' } }] }),
      finish('tool_calls'),
    ])
    expect(completion.choices[0]!.message.tool_calls).toEqual([{ id: 'call_c', type: 'custom', custom: { name: 'sh', input: 'ab' } }])
  })

  test('custom tool calls: unknown fields of custom are kept on custom', () => {
    const completion = complete([
      delta({ tool_calls: [{ index: 0, id: 'c', type: 'custom', custom: { name: 'sh', input: 'x', format: 'grammar' } }] }),
    ])
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'c', type: 'custom', custom: { name: 'sh', input: 'x', format: 'grammar' } },
    ])
  })

  test('custom tool calls: events say toolType custom and carry the input fragments; parseArguments leaves the input alone', () => {
    const { events } = accumulate(issueExample, { parseArguments: true })
    expect(ofType(events, 'tool_call.start')).toEqual([
      { type: 'tool_call.start', index: 0, toolCallIndex: 0, id: 'call_1', name: 'code_exec', toolType: 'custom' },
    ])
    expect(ofType(events, 'tool_call.arguments.delta')).toEqual([
      { type: 'tool_call.arguments.delta', index: 0, toolCallIndex: 0, id: 'call_1', delta: 'print("hel' },
      { type: 'tool_call.arguments.delta', index: 0, toolCallIndex: 0, id: 'call_1', delta: 'lo")' },
    ])
    expect(ofType(events, 'tool_call.done')).toEqual([
      {
        type: 'tool_call.done',
        index: 0,
        toolCallIndex: 0,
        id: 'call_1',
        name: 'code_exec',
        arguments: 'print("hello")',
        toolType: 'custom',
      },
    ])
  })

  test('custom tool calls: a function call carries neither toolType nor a custom member', () => {
    const { completion, events } = accumulate([
      toolDelta({ index: 0, id: 'f', type: 'function', function: { name: 'g', arguments: '{}' } }),
      finish('tool_calls'),
    ])
    expect(completion!.choices[0]!.message.tool_calls![0]).not.toHaveProperty('custom')
    expect(ofType(events, 'tool_call.start')[0]).not.toHaveProperty('toolType')
    expect(ofType(events, 'tool_call.done')[0]).not.toHaveProperty('toolType')
  })

  test('custom tool calls: maxBytes counts custom input like arguments', () => {
    const error = failure([toolDelta({ index: 0, id: 'c', type: 'custom', custom: { name: 'sh', input: 'x'.repeat(200) } })], {
      limits: { maxBytes: 100 },
    })
    expect(error).toMatchObject({ code: 'limit_exceeded', path: '$.choices[0].delta.tool_calls[0].custom.input' })
  })

  test('custom tool calls: maxToolCalls counts custom calls like function calls', () => {
    const error = failure(
      [0, 1, 2].map((i) => toolDelta({ id: `c${i}`, type: 'custom', custom: { name: 'sh', input: '' } })),
      { limits: { maxToolCalls: 2 } },
    )
    expect(error).toMatchObject({ code: 'limit_exceeded', path: '$.choices[0].delta.tool_calls[0]' })
  })

  test('custom tool calls: a custom member that is not an object is an invalid_type error with its path', () => {
    expect(failure([toolDelta({ index: 0, custom: 'x' })])).toMatchObject({
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].custom',
    })
    expect(failure([toolDelta({ index: 0, custom: { input: 5 } })])).toMatchObject({
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].custom.input',
    })
  })

  test('custom tool calls: the fast path never makes a template of a custom-input fragment (it falls back to the generic path)', () => {
    const payload = JSON.stringify(toolDelta({ index: 0, custom: { input: 'print(1)' } }))
    expect(makeTemplate(payload, JSON.parse(payload), true, false)).toBeUndefined()
    expect(makeTemplate(payload, JSON.parse(payload), false, true)).toBeUndefined()
  })
})

describe('reasoning dialects', () => {
  test('reasoning: different texts in reasoning_content and reasoning stay apart, each event naming its field', () => {
    const chunks = [
      delta({ reasoning_content: 'A', reasoning: 'B' }),
      delta({ reasoning_content: 'C', reasoning: 'D' }),
      delta({ content: 'ok' }),
      finish('stop'),
    ]
    const { completion, events } = expectSameAtEveryByte(chunks)
    expect(message(completion)).toMatchObject({ reasoning_content: 'AC', reasoning: 'BD', content: 'ok' })
    expect(ofType(events, 'reasoning.delta').map((e) => [e.field, e.delta])).toEqual([
      ['reasoning_content', 'A'],
      ['reasoning', 'B'],
      ['reasoning_content', 'C'],
      ['reasoning', 'D'],
    ])
    expect(ofType(events, 'reasoning.done').map((e) => [e.field, e.reasoning])).toEqual([
      ['reasoning_content', 'AC'],
      ['reasoning', 'BD'],
    ])
  })

  test('reasoning: the same text mirrored in both fields is kept in both, with one event per fragment', () => {
    const chunks = [
      delta({ reasoning_content: 'Let', reasoning: 'Let' }),
      delta({ reasoning_content: ' me', reasoning: ' me' }),
      finish('stop'),
    ]
    const { completion, events } = expectSameAtEveryByte(chunks)
    expect(message(completion)).toMatchObject({ reasoning_content: 'Let me', reasoning: 'Let me' })
    expect(ofType(events, 'reasoning.delta').map((e) => [e.field, e.delta])).toEqual([
      ['reasoning_content', 'Let'],
      ['reasoning_content', ' me'],
    ])
  })

  test('reasoning: fields streamed one after the other are not merged into each other', () => {
    const completion = complete([delta({ reasoning: 'gateway ' }), delta({ reasoning_content: 'upstream' }), delta({ reasoning: 'text' })])
    expect(message(completion)).toMatchObject({ reasoning: 'gateway text', reasoning_content: 'upstream' })
  })

  test('reasoning: reasoning_details text alone emits reasoning.delta events of its own field', () => {
    const { completion, events } = accumulate([
      delta({ reasoning_details: [{ type: 'reasoning.text', text: 'Hm', index: 0 }] }),
      delta({ reasoning_details: [{ type: 'reasoning.text', text: 'm.', index: 0 }] }),
    ])
    expect(message(completion!).reasoning_details).toEqual([{ type: 'reasoning.text', text: 'Hmm.', index: 0 }])
    expect(message(completion!)).not.toHaveProperty('reasoning')
    expect(ofType(events, 'reasoning.delta').map((e) => [e.field, e.delta])).toEqual([
      ['reasoning_details', 'Hm'],
      ['reasoning_details', 'm.'],
    ])
  })

  test('reasoning: reasoning_details text mirroring the delta reasoning emits no second event', () => {
    const { events } = accumulate([delta({ reasoning: 'Hm', reasoning_details: [{ type: 'reasoning.text', text: 'Hm', index: 0 }] })])
    expect(ofType(events, 'reasoning.delta').map((e) => [e.field, e.delta])).toEqual([['reasoning', 'Hm']])
  })
})

describe('strict mode: nameless tool calls', () => {
  test('strict: a tool call that never got a name is an invalid_chunk error with the JSON path', () => {
    const chunks = [toolDelta({ index: 0, id: 'call_1', type: 'function', function: { arguments: '{}' } }), finish('tool_calls')]
    const error = failure(chunks, { strict: true })
    expect(error).toMatchObject({ code: 'invalid_chunk', path: '$.choices[0].message.tool_calls[0].function.name' })
    expect(isDeltafoldError(error) && (error.partial as ChatCompletion).choices[0]!.message.tool_calls).toHaveLength(1)
    // Lenient mode keeps the call with an empty name.
    expect(complete(chunks).choices[0]!.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: '', arguments: '{}' } },
    ])
  })

  test('strict: a nameless custom call is refused when its choice finishes, naming custom.name', () => {
    const acc = createChatCompletionAccumulator({ strict: true })
    acc.push(
      delta({
        tool_calls: [
          { index: 0, id: 'a', function: { name: 'f', arguments: '' } },
          { index: 1, id: 'b', type: 'custom', custom: { input: 'x' } },
        ],
      }),
    )
    expect(() => acc.push(finish('tool_calls'))).toThrow(
      expect.objectContaining({ code: 'invalid_chunk', path: '$.choices[0].message.tool_calls[1].custom.name' }),
    )
  })
})

describe('fields merged, not replaced', () => {
  test('audio: transcript and data fragments are appended, id and expires_at set', () => {
    const completion = complete([
      delta({ role: 'assistant', audio: { id: 'audio_1', transcript: 'Hel', data: 'AAA' } }),
      delta({ audio: { transcript: 'lo', data: 'BBB' } }),
      delta({ audio: { expires_at: 1_700_000_000, transcript: '' } }),
      finish('stop'),
    ])
    expect(message(completion).audio).toEqual({ id: 'audio_1', data: 'AAABBB', expires_at: 1_700_000_000, transcript: 'Hello' })
  })

  test('annotations: entries of every delta are appended in order', () => {
    const a = { type: 'url_citation', url_citation: { url: 'https://a.example', start_index: 0, end_index: 3, title: 'A' } }
    const b = { type: 'url_citation', url_citation: { url: 'https://b.example', start_index: 4, end_index: 7, title: 'B' } }
    const completion = complete([
      delta({ content: 'abc', annotations: [a] }),
      delta({ annotations: null }),
      delta({ content: ' de', annotations: [b] }),
    ])
    expect(message(completion).annotations).toEqual([a, b])
  })

  test('unknown string fields in a delta concatenate across fragments (the documented rule)', () => {
    expect(message(complete([delta({ x_text: 'Hel' }), delta({ x_text: 'lo' })])).x_text).toBe('Hello')
  })

  test('unknown fields of logprobs are kept', () => {
    const completion = complete([delta({ content: 'a' }, { logprobs: { content: [], refusal: null, extra_field: 'kept' } })])
    expect(completion.choices[0]!.logprobs).toEqual({ content: [], refusal: null, extra_field: 'kept' })
  })

  test('unknown fields of function_call are kept', () => {
    const completion = complete([
      delta({ function_call: { name: 'f', arguments: '{', thought: 'why' } }),
      delta({ function_call: { arguments: '}' } }),
    ])
    expect(message(completion).function_call).toEqual({ name: 'f', arguments: '{}', thought: 'why' })
  })

  test('unknown fields of audio and usage are kept', () => {
    const completion = complete([
      delta({ audio: { id: 'a', format: 'wav' } }, {}, { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, x_cost: 0.5 } }),
    ])
    expect(message(completion).audio).toMatchObject({ format: 'wav' })
    expect(completion.usage).toMatchObject({ x_cost: 0.5 })
  })
})

describe('format', () => {
  const legacy = (text: string, extra: Loose = {}, choiceExtra: Loose = {}): Loose => ({
    id: 'cmpl-1',
    object: 'text_completion',
    created: 1_700_000_000,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ index: 0, text, logprobs: null, finish_reason: null, ...choiceExtra }],
    ...extra,
  })

  test('format: a text_completion chunk in chat mode is an unsupported_format error naming the format', () => {
    const error = failure([legacy('Hel')])
    expect(error).toMatchObject({ code: 'unsupported_format', path: '$.object' })
    expect(error.message).toContain('text_completion')
    expect(error.message).toContain("format: 'completions'")
  })

  test('format: a text choice without the object field in chat mode is refused too', () => {
    const c = legacy('Hel')
    delete c.object
    expect(failure([c])).toMatchObject({ code: 'unsupported_format', path: '$.choices[0].text' })
  })

  test("format 'completions': folds text_completion chunks into a text_completion", () => {
    const lp = (tokens: string[], offset: number) => ({
      tokens,
      token_logprobs: tokens.map(() => -0.5),
      top_logprobs: tokens.map((t) => ({ [t]: -0.5 })),
      text_offset: tokens.map((_, i) => offset + i),
    })
    const chunks = [
      legacy('Hel', {}, { logprobs: lp(['Hel'], 0) }),
      legacy('lo', {}, { logprobs: lp(['l', 'o'], 3) }),
      legacy('', { usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } }, { finish_reason: 'stop' }),
    ]
    const { completion, events } = accumulate(chunks, { format: 'completions' })
    expect(completion).toEqual({
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1_700_000_000,
      model: 'gpt-3.5-turbo-instruct',
      choices: [
        {
          index: 0,
          text: 'Hello',
          finish_reason: 'stop',
          logprobs: {
            tokens: ['Hel', 'l', 'o'],
            token_logprobs: [-0.5, -0.5, -0.5],
            top_logprobs: [{ Hel: -0.5 }, { l: -0.5 }, { o: -0.5 }],
            text_offset: [0, 3, 4],
          },
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    })
    expect(ofType(events, 'content.delta').map((e) => e.delta)).toEqual(['Hel', 'lo'])
    // Through the byte pipeline, split anywhere, the same.
    const bytes = bytesOf(chunks)
    for (let at = 0; at <= bytes.length; at += 7) {
      expect(parsePieces(splitBytes(bytes, [at]), { format: 'completions' }).completion).toEqual(completion)
    }
  })

  test("format 'completions': a chat chunk is an unsupported_format error", () => {
    expect(failure([delta({ content: 'x' })], { format: 'completions' })).toMatchObject({ code: 'unsupported_format', path: '$.object' })
  })

  test('format: an unknown format is a TypeError that says what to pass', () => {
    expect(() => createChatCompletionAccumulator({ format: 'xml' as 'chat' })).toThrow(TypeError)
  })

  test('format: chat is the default and keeps folding chat chunks', () => {
    expect(complete([chunk([{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }])]).object).toBe('chat.completion')
  })
})
