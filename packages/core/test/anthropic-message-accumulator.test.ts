import {
  createAnthropicMessageAccumulator,
  DeltafoldError,
  isDeltafoldError,
  ProviderError,
  type AnthropicMessage,
  type AnthropicMessageEvent,
} from '@deltafold/core'
import { describe, expect, test } from 'vitest'
import { messageStart } from './anthropic-helpers.js'
import { expectPrototypesUntouched, prototypeState } from './chunk-helpers.js'

type Event = Record<string, unknown>

const start = (index: number, content_block: Record<string, unknown>): Event => ({ type: 'content_block_start', index, content_block })
const delta = (index: number, d: Record<string, unknown>): Event => ({ type: 'content_block_delta', index, delta: d })
const stop = (index: number): Event => ({ type: 'content_block_stop', index })
const textDelta = (index: number, text: string) => delta(index, { type: 'text_delta', text })
const json = (index: number, partial_json: string) => delta(index, { type: 'input_json_delta', partial_json })
const messageDelta = (stop_reason: string, usage: Record<string, unknown> = { output_tokens: 7 }): Event => ({
  type: 'message_delta',
  delta: { stop_reason, stop_sequence: null },
  usage,
})
const MESSAGE_STOP: Event = { type: 'message_stop' }

/** Pushes every event and finishes; returns the message or the error thrown. */
function fold(events: Event[], options: Parameters<typeof createAnthropicMessageAccumulator>[0] = {}): AnthropicMessage | DeltafoldError {
  const acc = createAnthropicMessageAccumulator(options)
  try {
    for (const event of events) acc.push(event)
    return acc.finish()
  } catch (error) {
    if (error instanceof DeltafoldError) return error
    throw error
  }
}

function failure(events: Event[], options?: Parameters<typeof createAnthropicMessageAccumulator>[0]): DeltafoldError<AnthropicMessage> {
  const result = fold(events, options)
  expect(result).toBeInstanceOf(DeltafoldError)
  return result as DeltafoldError<AnthropicMessage>
}

const TEXT_STREAM: Event[] = [
  messageStart(),
  start(0, { type: 'text', text: '' }),
  textDelta(0, 'Hel'),
  textDelta(0, 'lo'),
  stop(0),
  messageDelta('end_turn'),
  MESSAGE_STOP,
]

describe('folding', () => {
  test('appends text deltas and merges usage from message_start and message_delta', () => {
    expect(fold(TEXT_STREAM)).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello' }],
      model: 'claude-test',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 7 },
    })
  })

  test('usage counters of message_delta overwrite, never add; null counters leave the value', () => {
    const message = fold([
      messageStart('msg_1', { usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } }),
      messageDelta('end_turn', { output_tokens: 3, input_tokens: 12, cache_read_input_tokens: null }),
      messageDelta('end_turn', { output_tokens: 9 }),
      MESSAGE_STOP,
    ]) as AnthropicMessage
    expect(message.usage).toEqual({ input_tokens: 12, cache_read_input_tokens: 5, output_tokens: 9 })
  })

  test('tool input is JSON.parse of the joined partial_json; {} when the fragments are empty', () => {
    const message = fold([
      messageStart(),
      start(0, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }),
      json(0, '{"city": "Pa'),
      json(0, 'ris", "days": [1, 2]}'),
      stop(0),
      start(1, { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} }),
      json(1, ''),
      stop(1),
      messageDelta('tool_use'),
      MESSAGE_STOP,
    ]) as AnthropicMessage
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } },
      { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
    ])
  })

  test('thinking appends, signature_delta sets the signature, citations append to the text block', () => {
    const citation = { type: 'web_search_result_location', cited_text: 'x', url: 'https://example.com', title: 't', encrypted_index: 'e' }
    const message = fold([
      messageStart(),
      start(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Hmm, ' }),
      delta(0, { type: 'thinking_delta', thinking: 'yes.' }),
      delta(0, { type: 'signature_delta', signature: 'sig' }),
      stop(0),
      start(1, { type: 'text', text: '', citations: null }),
      delta(1, { type: 'citations_delta', citation }),
      textDelta(1, 'cited'),
      stop(1),
      messageDelta('end_turn'),
      MESSAGE_STOP,
    ]) as AnthropicMessage
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Hmm, yes.', signature: 'sig' },
      { type: 'text', text: 'cited', citations: [citation] },
    ])
  })

  test('blocks of other types are kept as they came; a fallback block relabels the model', () => {
    const result = {
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_1',
      content: [{ type: 'web_search_result', url: 'u', title: 't' }],
    }
    const message = fold([
      messageStart(),
      start(0, { type: 'fallback', from: { model: 'claude-test' }, to: { model: 'claude-other' } }),
      stop(0),
      start(1, result),
      stop(1),
      messageDelta('end_turn'),
      MESSAGE_STOP,
    ]) as AnthropicMessage
    expect(message.model).toBe('claude-other')
    expect(message.content[1]).toEqual(result)
  })

  test('a duplicated message_start of the open message is ignored', () => {
    const [first, ...rest] = TEXT_STREAM
    expect(fold([first!, first!, ...rest.slice(0, 3), first!, ...rest.slice(3)])).toEqual(fold(TEXT_STREAM))
  })

  test('ping and unknown event types are skipped; events after message_stop are ignored', () => {
    const noisy = [
      { type: 'ping' },
      ...TEXT_STREAM.slice(0, 3),
      { type: 'ping' },
      { type: 'future_event', x: 1 },
      ...TEXT_STREAM.slice(3),
      textDelta(0, 'late'),
      messageStart('msg_2'),
    ]
    expect(fold(noisy)).toEqual(fold(TEXT_STREAM))
  })

  test('finish() returns the same message on later calls; snapshot() returns fresh copies', () => {
    const acc = createAnthropicMessageAccumulator()
    for (const event of TEXT_STREAM) acc.push(event)
    expect(acc.done).toBe(true)
    expect(acc.finish()).toBe(acc.finish())
    const snapshot = acc.snapshot()
    expect(snapshot).toEqual(acc.finish())
    expect(snapshot).not.toBe(acc.snapshot())
  })
})

describe('events', () => {
  test('onEvent receives the events in wire order, with the finished block on content_block_stop and the message on message_stop', () => {
    const events: AnthropicMessageEvent[] = []
    const acc = createAnthropicMessageAccumulator({ onEvent: (event) => events.push(structuredClone(event)) })
    for (const event of [{ type: 'ping' }, ...TEXT_STREAM]) acc.push(event)
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect(events[4]).toEqual({ type: 'content_block_stop', index: 0, content_block: { type: 'text', text: 'Hello' } })
    expect(events[6]).toEqual({ type: 'message_stop', message: acc.finish() })
  })

  test('parseInput: input_json_delta events carry the input parsed so far', () => {
    const partials: unknown[] = []
    const acc = createAnthropicMessageAccumulator({
      parseInput: true,
      onEvent(event) {
        if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') partials.push(structuredClone(event.partial))
        if (event.type === 'content_block_stop') partials.push(event.content_block)
      },
    })
    for (const event of [
      messageStart(),
      start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }),
      json(0, '{"a": "x'),
      json(0, 'y", "b": [1'),
      json(0, ']}'),
      stop(0),
    ])
      acc.push(event)
    // A number is shown once it cannot go on (`1` may become `12`).
    expect(partials).toEqual([
      { a: 'x' },
      { a: 'xy', b: [] },
      { a: 'xy', b: [1] },
      { type: 'tool_use', id: 't', name: 'n', input: { a: 'xy', b: [1] } },
    ])
  })

  test('without parseInput, input_json_delta events carry no partial', () => {
    const events: AnthropicMessageEvent[] = []
    const acc = createAnthropicMessageAccumulator({ onEvent: (event) => events.push(event) })
    for (const event of [messageStart(), start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), json(0, '{}')]) acc.push(event)
    expect(events[2]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } })
    expect('partial' in events[2]!).toBe(false)
  })

  test('an exception thrown by onEvent stops the accumulator', () => {
    const acc = createAnthropicMessageAccumulator({
      onEvent(event) {
        if (event.type === 'content_block_delta') throw new Error('listener failed')
      },
    })
    acc.push(messageStart())
    acc.push(start(0, { type: 'text', text: '' }))
    expect(() => acc.push(textDelta(0, 'x'))).toThrow('listener failed')
    expect(() => acc.push(stop(0))).toThrow('listener failed')
    expect(() => acc.finish()).toThrow('listener failed')
  })
})

describe('errors carry partial', () => {
  test('a stream that ends before message_stop: unexpected_eof with every block so far, tool input parsed as far as it goes', () => {
    const error = failure([
      messageStart(),
      start(0, { type: 'text', text: '' }),
      textDelta(0, 'Calling'),
      stop(0),
      start(1, { type: 'tool_use', id: 'toolu_1', name: 'search', input: {} }),
      json(1, '{"query": "deltaf'),
    ])
    expect(error.code).toBe('unexpected_eof')
    expect(error.partial!.content).toEqual([
      { type: 'text', text: 'Calling' },
      { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'deltaf' } },
    ])
  })

  test('no message_start at all: empty_stream', () => {
    expect(failure([{ type: 'ping' }]).code).toBe('empty_stream')
  })

  test('a different message starting while one is open: unexpected_event whose partial is the first message', () => {
    const error = failure([...TEXT_STREAM.slice(0, 3), messageStart('msg_2')])
    expect(error.code).toBe('unexpected_event')
    expect(error.message).toContain('"msg_2"')
    expect(error.partial!.id).toBe('msg_1')
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hel' }])
  })

  test('an error event becomes a ProviderError with the provider error and the partial message', () => {
    const error = failure([...TEXT_STREAM.slice(0, 3), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }])
    expect(error).toBeInstanceOf(ProviderError)
    expect(error.code).toBe('upstream_error')
    expect((error as ProviderError).error).toEqual({ type: 'overloaded_error', message: 'Overloaded' })
    expect(error.partial!.content).toEqual([{ type: 'text', text: 'Hel' }])
  })

  test('invalid JSON in partial_json: invalid_json at the block stop, naming the block, with the partial', () => {
    const events = [messageStart(), start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), json(0, '{"p": "App\\Http"}'), stop(0)]
    for (const parseInput of [false, true]) {
      const error = failure(events, { parseInput })
      expect(error.code).toBe('invalid_json')
      expect(error.path).toBe('$.content[0].input')
      expect(error.message).toContain('tool_use block at index 0')
      expect(error.partial!.content[0]).toMatchObject({ type: 'tool_use', id: 't' })
    }
  })

  test('the first error stops the accumulator: later pushes and finish() throw it again', () => {
    const acc = createAnthropicMessageAccumulator()
    acc.push(messageStart())
    let first: unknown
    try {
      acc.push(textDelta(0, 'x'))
    } catch (error) {
      first = error
    }
    expect(isDeltafoldError(first)).toBe(true)
    expect(() => acc.push(messageDelta('end_turn'))).toThrow(first as Error)
    expect(() => acc.finish()).toThrow(first as Error)
  })
})

describe('hostile input', () => {
  test.each([
    ['a delta for a block that never started', [textDelta(0, 'x')], 'invalid_index'],
    ['a negative index', [start(0, { type: 'text', text: '' }), textDelta(-1, 'x')], 'invalid_index'],
    ['a fractional index', [start(0, { type: 'text', text: '' }), textDelta(0.5, 'x')], 'invalid_index'],
    ['an index of 1e9', [start(1e9, { type: 'text', text: '' })], 'invalid_index'],
    ['an index of "__proto__"', [start(0, { type: 'text', text: '' }), textDelta('__proto__' as unknown as number, 'x')], 'invalid_index'],
    ['a block start that skips an index', [start(1, { type: 'text', text: '' })], 'invalid_index'],
    ['a block start that repeats an index', [start(0, { type: 'text', text: '' }), start(0, { type: 'text', text: '' })], 'invalid_index'],
    ['a delta after the block stopped', [start(0, { type: 'text', text: '' }), stop(0), textDelta(0, 'x')], 'unexpected_event'],
    ['a second stop of a block', [start(0, { type: 'text', text: '' }), stop(0), stop(0)], 'unexpected_event'],
    [
      'a text_delta for a tool_use block',
      [start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), textDelta(0, 'x')],
      'unexpected_event',
    ],
    ['an input_json_delta for a text block', [start(0, { type: 'text', text: '' }), json(0, '{')], 'unexpected_event'],
    [
      'a text_delta whose text is a number',
      [start(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 5 })],
      'invalid_type',
    ],
    ['a content block that is not an object', [start(0, 'text' as unknown as Record<string, unknown>)], 'invalid_type'],
    ['an event that is not an object', [[1, 2] as unknown as Event], 'invalid_chunk'],
  ])('%s is a typed error with partial', (_what, events, code) => {
    const error = failure([messageStart(), ...(events as Event[])])
    expect(error.code).toBe(code)
    expect(error.partial!.id).toBe('msg_1')
  })

  test('events before message_start are unexpected_event', () => {
    expect(failure([start(0, { type: 'text', text: '' })]).code).toBe('unexpected_event')
    expect(failure([MESSAGE_STOP]).code).toBe('unexpected_event')
  })

  test('__proto__ keys in blocks, deltas, usage and tool input leave the prototypes untouched', () => {
    const before = prototypeState()
    const events = JSON.parse(
      JSON.stringify([
        messageStart(),
        start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }),
        json(0, '{"__proto__": {"polluted": true}, "a": 1}'),
        stop(0),
        start(1, { type: 'web_search_tool_result', tool_use_id: 't', content: [] }),
        stop(1),
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
        MESSAGE_STOP,
      ])
        .replace('"content":[]}', '"content":[],"__proto__":{"polluted":true}}')
        .replace('"usage":{"output_tokens":1}', '"usage":{"output_tokens":1,"__proto__":{"polluted":true}}'),
    ) as Event[]
    const message = fold(events) as AnthropicMessage
    expectPrototypesUntouched(before)
    // The tool input is JSON.parse's: "__proto__" stays an own data key, as JSON.parse makes it.
    const input = (message.content[0] as { input: Record<string, unknown> }).input
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype)
    expect(Object.hasOwn(input, '__proto__')).toBe(true)
    expect(Object.hasOwn(message.content[1]!, '__proto__')).toBe(false)
    expect(Object.hasOwn(message.usage, '__proto__')).toBe(false)
    expect(JSON.parse(JSON.stringify(structuredClone(message)))).toEqual(JSON.parse(JSON.stringify(message)))
  })

  test('limits.maxBlocks: one block more is limit_exceeded', () => {
    const events = [messageStart(), ...Array.from({ length: 4 }, (_, i) => start(i, { type: 'text', text: '' }))]
    expect(fold([...events.slice(0, 4), ...[1, 2, 0].map(stop), MESSAGE_STOP], { limits: { maxBlocks: 3 } })).not.toBeInstanceOf(
      DeltafoldError,
    )
    const error = failure(events, { limits: { maxBlocks: 3 } })
    expect(error.code).toBe('limit_exceeded')
    expect(error.partial!.content).toHaveLength(3)
  })

  test('limits.maxBytes: text and tool input past the budget are limit_exceeded', () => {
    const big = 'x'.repeat(600)
    const text = failure([messageStart(), start(0, { type: 'text', text: '' }), textDelta(0, big), textDelta(0, big)], {
      limits: { maxBytes: 1000 },
    })
    expect(text.code).toBe('limit_exceeded')
    expect((text.partial!.content[0] as { text: string }).text).toBe(big)
    const input = failure(
      [messageStart(), start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), json(0, `{"a":"${big}`), json(0, big)],
      {
        limits: { maxBytes: 1000 },
        parseInput: true,
      },
    )
    expect(input.code).toBe('limit_exceeded')
  })

  test('limits.maxDepth: tool input nesting past it is max_depth, with and without parseInput', () => {
    const deep = '['.repeat(20) + ']'.repeat(20)
    const events = [messageStart(), start(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), json(0, deep), stop(0)]
    for (const parseInput of [false, true]) {
      const error = failure(events, { limits: { maxDepth: 10 }, parseInput })
      expect(error.code).toBe('max_depth')
      expect(error.path).toBe('$.content[0].input')
    }
    expect(fold([...events, MESSAGE_STOP], { limits: { maxDepth: 20 } })).not.toBeInstanceOf(DeltafoldError)
  })

  test('a deeply nested unknown block is max_depth, never a RangeError', () => {
    let nested: unknown = 1
    for (let i = 0; i < 10_000; i++) nested = [nested]
    expect(failure([messageStart(), start(0, { type: 'web_search_tool_result', tool_use_id: 't', content: nested })]).code).toBe(
      'max_depth',
    )
  })

  test('misuse: limits that are not positive numbers throw a TypeError that says how to fix the call', () => {
    expect(() => createAnthropicMessageAccumulator({ limits: { maxBlocks: 0 } })).toThrow(/limits.maxBlocks must be a positive number/)
    expect(() => createAnthropicMessageAccumulator({ limits: { maxBytes: '1' as unknown as number } })).toThrow(TypeError)
  })
})
