import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionAccumulator,
  isDeltafoldError,
  ProviderError,
  streamChatCompletion,
  type ChatCompletion,
  type CompletionEvent,
} from '@deltafold/core'
import {
  accumulate,
  chunk,
  complete,
  delta,
  encodeSSE,
  expectPrototypesUntouched,
  failure,
  finish,
  message,
  parsePieces,
  prototypeState,
  toolCalls,
  toolDelta,
  type Loose,
  type PrototypeState,
} from './chunk-helpers.js'

// hostile-inputs.md §4, #18–#40: the ones that concern the accumulator and the byte → completion
// pipeline. After every test, Object.prototype and Array.prototype must have exactly the own keys
// they had before, and no plain object may see a `polluted` property.
let prototypesBefore: PrototypeState
beforeEach(() => {
  prototypesBefore = prototypeState()
})
afterEach(() => {
  expectPrototypesUntouched(prototypesBefore)
})

const USAGE = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }
const HELLO = encodeSSE([delta({ role: 'assistant', content: 'Hel' }), delta({ content: 'lo' })], false)

/** SSE text of raw `data:` payloads (JSON text written by hand, so `1e400` and `__proto__` keys survive). */
function rawSSE(...payloads: string[]): string {
  return payloads.map((p) => `data: ${p}\n\n`).join('')
}

function expectPlainJSON(completion: ChatCompletion): void {
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    expect(Object.getPrototypeOf(value)).toBe(Array.isArray(value) ? Array.prototype : Object.prototype)
    expect(Object.hasOwn(value, '__proto__')).toBe(false)
    for (const v of Object.values(value)) walk(v)
  }
  walk(completion)
  expect(JSON.parse(JSON.stringify(completion))).toEqual(completion)
}

test('data: not-json is invalid_json with the event number, byte offset, raw data and the partial completion (#18)', () => {
  const body = HELLO + 'data: not-json\n\n' + rawSSE('{"choices":[{"index":0,"delta":{"content":"never"}}]}')
  const { error, completion } = parsePieces([new TextEncoder().encode(body)])
  expect(completion).toBeUndefined()
  expect(isDeltafoldError(error)).toBe(true)
  expect(error).toMatchObject({ name: 'DeltafoldError', code: 'invalid_json', eventNumber: 3, data: 'not-json' })
  const offset = (error as Loose).byteOffset as number
  expect(offset).toBeGreaterThanOrEqual(HELLO.length)
  expect(offset).toBeLessThanOrEqual(HELLO.length + 'data: not-json\n\n'.length)
  expect((error as Loose).partial).toMatchObject({ choices: [{ message: { content: 'Hello' } }] })
})

test('a usage-only chunk after the finish chunk is attached to the result (#19)', () => {
  const { completion, error } = parsePieces([HELLO + encodeSSE([finish('stop'), chunk([], { usage: USAGE })])])
  expect(error).toBeUndefined()
  expect(completion).toMatchObject({ usage: USAGE, choices: [{ finish_reason: 'stop', message: { content: 'Hello' } }] })
})

test.each([
  { form: 'data: {"error": …} mid-stream', body: rawSSE('{"error":{"message":"overloaded","type":"server_error","code":503}}') },
  { form: 'event: error', body: 'event: error\n' + rawSSE('{"error":{"message":"overloaded","type":"server_error","code":503}}') },
])('$form is upstream_error (ProviderError with the whole error object and partial) (#20)', ({ body }) => {
  const { error } = parsePieces([HELLO + body + encodeSSE([delta({ content: ' never' })])])
  expect(error).toBeInstanceOf(ProviderError)
  expect(error).toMatchObject({
    code: 'upstream_error',
    error: { message: 'overloaded', type: 'server_error', code: 503 },
    partial: { choices: [{ message: { content: 'Hello' } }] },
  })
})

test('tool-call index 1e9 is invalid_index and allocates nothing (#21)', () => {
  const heapBefore = process.memoryUsage().heapUsed
  const { error } = parsePieces([
    HELLO + rawSSE('{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e9,"id":"a","function":{"name":"f"}}]}}]}'),
  ])
  expect(error).toMatchObject({ code: 'invalid_index', path: '$.choices[0].delta.tool_calls[0].index' })
  const partial = (error as Loose).partial as ChatCompletion
  expect(partial.choices[0]!.message).not.toHaveProperty('tool_calls')
  expect(JSON.stringify(partial).length).toBeLessThan(500)
  // An array sized by the index would be gigabytes.
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024)
})

describe.each([
  ['-1', '-1'],
  ['0.5', '0.5'],
  ['1e400 (Infinity after JSON.parse)', '1e400'],
  ['"0"', '"0"'],
  ['"length"', '"length"'],
])('index %s (#22)', (_name, index) => {
  test('as a tool-call index is invalid_index, never a silent drop', () => {
    const { error } = parsePieces([
      HELLO +
        rawSSE(`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"id":"a","function":{"name":"f","arguments":"{}"}}]}}]}`),
    ])
    expect(error).toMatchObject({
      code: 'invalid_index',
      path: '$.choices[0].delta.tool_calls[0].index',
      partial: { choices: [{ message: { content: 'Hello' } }] },
    })
  })

  test('as a choice index is invalid_index, never a silent drop', () => {
    const { error } = parsePieces([HELLO + rawSSE(`{"choices":[{"index":${index},"delta":{"content":"x"}}]}`)])
    expect(error).toMatchObject({
      code: 'invalid_index',
      path: '$.choices[0].index',
      partial: { choices: [{ message: { content: 'Hello' } }] },
    })
  })
})

test.each(['"__proto__"', '"constructor"', '"toString"'])('index %s is invalid_index and the prototypes are unchanged (#23)', (index) => {
  for (const payload of [
    `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"id":"a","function":{"arguments":"{\\"polluted\\":1}"}}]}}]}`,
    `{"choices":[{"index":${index},"delta":{"content":"polluted"}}]}`,
  ]) {
    const { error } = parsePieces([HELLO + rawSSE(payload)])
    expect(error).toMatchObject({ code: 'invalid_index' })
    expectPrototypesUntouched(prototypesBefore)
  }
})

test.each([
  { where: 'a delta', payload: '{"choices":[{"index":0,"delta":{"content":"x","__proto__":{"polluted":"delta"}}}]}' },
  { where: 'a choice', payload: '{"choices":[{"index":0,"__proto__":{"polluted":"choice"},"delta":{"content":"x"}}]}' },
  {
    where: 'logprobs',
    payload:
      '{"choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"__proto__":{"polluted":1},"content":[{"token":"x","__proto__":{"polluted":2}}]}}]}',
  },
  { where: 'the chunk', payload: '{"__proto__":{"polluted":"top"},"choices":[{"index":0,"delta":{"content":"x"}}]}' },
  {
    where: 'a tool call and its function',
    payload:
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","__proto__":{"polluted":1},"function":{"name":"f","__proto__":{"polluted":2}}}]}}]}',
  },
  { where: 'usage', payload: '{"choices":[],"usage":{"prompt_tokens":1,"__proto__":{"polluted":"usage"}}}' },
  {
    where: 'a kept unknown value',
    payload: '{"choices":[{"index":0,"delta":{"meta":{"a":{"__proto__":{"polluted":1}}}}}],"x":[{"__proto__":{"polluted":2}}]}',
  },
  {
    where: 'reasoning_details',
    payload:
      '{"choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","index":0,"text":"t","__proto__":{"polluted":1}}]}}]}',
  },
])('an own __proto__ key in $where is dropped; the snapshot and the prototypes are unchanged (#24)', ({ payload }) => {
  const { completion, error } = parsePieces([HELLO + rawSSE(payload, payload) + encodeSSE([finish('stop')])])
  expect(error).toBeUndefined()
  expectPlainJSON(completion!)
  expect(JSON.stringify(completion)).not.toContain('"polluted"')
  expectPrototypesUntouched(prototypesBefore)
})

test('constructor.prototype keys, sent twice so they take the merge path, stay plain own data (#24)', () => {
  const payload =
    '{"choices":[{"index":0,"delta":{"meta":{"constructor":{"prototype":{"polluted":1}}}}}],"constructor":{"prototype":{"polluted":2}}}'
  const { completion, error } = parsePieces([HELLO + rawSSE(payload, payload)])
  expect(error).toBeUndefined()
  expectPlainJSON(completion!)
  expect(Object.hasOwn(completion!, 'constructor')).toBe(true)
  expect((completion as unknown as Loose).constructor).toEqual({ prototype: { polluted: 2 } })
  expect(message(completion!).meta).toEqual({ constructor: { prototype: { polluted: 1 } } })
  expectPrototypesUntouched(prototypesBefore)
})

test.each([
  { order: [1, 4], name: 'indexes 1 and 4' },
  { order: [4, 1], name: 'indexes arriving 4 then 1' },
])('tool-call $name give a dense list ordered by index that JSON.stringify accepts (#25)', ({ order }) => {
  const chunks = order.map((i) => toolDelta({ index: i, id: `t${i}`, function: { name: `f${i}`, arguments: '{}' } }))
  const calls = toolCalls(complete(chunks))
  expect(calls.map((c) => c.id)).toEqual(['t1', 't4'])
  expect(JSON.parse(JSON.stringify(calls))).toHaveLength(2)
})

test('two entries with index 0 in the first chunk are merged into one call (#26)', () => {
  const calls = toolCalls(
    complete([
      delta({
        role: 'assistant',
        tool_calls: [
          { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } },
          { index: 0, function: { arguments: '1}' } },
        ],
      }),
    ]),
  )
  expect(calls).toEqual([{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }])
})

describe('index 0 reused with a new id (#27)', () => {
  const chunks = [
    toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: '{"city":"A"}' } }),
    toolDelta({ index: 0, id: 'b', function: { name: 'f', arguments: '{"city":"B"}' } }),
  ]

  test('starts a new call, never "}{" (the issue rule wins over the doc\'s index_conflict in default mode)', () => {
    const calls = toolCalls(complete(chunks))
    expect(calls.map((c) => [c.id, c.function.arguments])).toEqual([
      ['a', '{"city":"A"}'],
      ['b', '{"city":"B"}'],
    ])
    expect(JSON.stringify(calls)).not.toContain('}{')
  })

  test('strict mode raises index_conflict with the first call in partial', () => {
    const error = failure(chunks, { strict: true })
    expect(error).toMatchObject({ code: 'index_conflict', path: '$.choices[0].delta.tool_calls[0].index' })
    expect(toolCalls(error.partial as ChatCompletion).map((c) => c.id)).toEqual(['a'])
  })
})

describe('a missing or null tool-call index (#28)', () => {
  test.each([
    ['missing', {}],
    ['null', { index: null }],
  ])('%s, with one active call: inferred, the call continues', (_name, index) => {
    const calls = toolCalls(
      complete([
        toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } }),
        toolDelta({ ...index, function: { arguments: ':1}' } }),
      ]),
    )
    expect(calls.map((c) => [c.id, c.function.arguments])).toEqual([['a', '{"x":1}']])
  })

  test('with two active calls: continues the most recent one (the issue rule), where strict mode raises invalid_index', () => {
    const chunks = [
      toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }),
      toolDelta({ index: 1, id: 'b', function: { name: 'g', arguments: '[1' } }),
      toolDelta({ function: { arguments: ']' } }),
    ]
    expect(toolCalls(complete(chunks)).map((c) => c.function.arguments)).toEqual(['{}', '[1]'])
    expect(failure(chunks, { strict: true })).toMatchObject({ code: 'invalid_index', path: '$.choices[0].delta.tool_calls[0].index' })
  })
})

describe('arguments and content of the wrong type (#29)', () => {
  test('arguments as an object are JSON.stringify-ed (the issue rule) in default mode; strict mode raises invalid_type', () => {
    const chunks = [toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: { a: 1 } } })]
    expect(toolCalls(complete(chunks))[0]!.function.arguments).toBe('{"a":1}')
    expect(toolCalls(complete(chunks))[0]!.function.arguments).not.toBe('[object Object]')
    expect(failure(chunks, { strict: true })).toMatchObject({
      code: 'invalid_type',
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    })
  })

  test.each([
    {
      what: 'arguments as a number',
      c: toolDelta({ index: 0, id: 'a', function: { arguments: 5 } }),
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    },
    {
      what: 'arguments as a boolean',
      c: toolDelta({ index: 0, id: 'a', function: { arguments: true } }),
      path: '$.choices[0].delta.tool_calls[0].function.arguments',
    },
    { what: 'content as an object', c: delta({ content: { text: 'x' } }), path: '$.choices[0].delta.content' },
    { what: 'content as a number', c: delta({ content: 5 }), path: '$.choices[0].delta.content' },
  ])('$what is invalid_type in both modes', ({ c, path }) => {
    for (const strict of [false, true]) {
      const error = failure([delta({ content: 'kept' }), c], { strict })
      expect(error).toMatchObject({ code: 'invalid_type', path, partial: { choices: [{ message: { content: 'kept' } }] } })
    }
  })

  test('null arguments and null content count as absent', () => {
    const completion = complete([delta({ content: null }), toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: null } })])
    expect(message(completion).content).toBeNull()
    expect(toolCalls(completion)[0]!.function.arguments).toBe('')
  })
})

test('100k one-character argument deltas accumulate in linear time, exactly (also with parseArguments) (#30)', () => {
  const args = JSON.stringify({ data: 'x'.repeat(99_980), n: [1, 2] })
  expect(args.length).toBeGreaterThan(100_000)
  for (const parseArguments of [false, true]) {
    const events: CompletionEvent[] = []
    const acc = createChatCompletionAccumulator({ parseArguments, onEvent: (e) => e.type === 'tool_call.done' && events.push(e) })
    const started = performance.now()
    acc.push(toolDelta({ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } }))
    for (let i = 0; i < args.length; i++) acc.push(toolDelta({ index: 0, function: { arguments: args[i] } }))
    const completion = acc.finish()
    const elapsed = performance.now() - started
    expect(toolCalls(completion)[0]!.function.arguments).toBe(args)
    if (parseArguments) expect(events[0]).toMatchObject({ parsed: JSON.parse(args) })
    // A quadratic pass over 100k deltas takes minutes; linear takes well under a second.
    expect(elapsed).toBeLessThan(10_000)
  }
})

test('arguments with an invalid escape keep their raw text and the stream completes (parseError on that call only) (#31)', () => {
  const { completion, events, error } = accumulate(
    [
      toolDelta({ index: 0, id: 'a', function: { name: 'f', arguments: '{"p":"App\\Http"}' } }),
      toolDelta({ index: 1, id: 'b', function: { name: 'g', arguments: '{"ok":true}' } }),
      finish('tool_calls'),
    ],
    { parseArguments: true },
  )
  expect(error).toBeUndefined()
  expect(toolCalls(completion!).map((c) => c.function.arguments)).toEqual(['{"p":"App\\Http"}', '{"ok":true}'])
  const dones = events.filter((e) => e.type === 'tool_call.done')
  expect(dones[0]!.parseError).toBeInstanceOf(Error)
  expect(dones[1]).toMatchObject({ parsed: { ok: true } })
})

describe('finish_reason sent twice, sent as "", or sent after usage (#32)', () => {
  test.each([
    { case: 'twice with different values', chunks: [delta({ content: 'a' }), finish('tool_calls'), finish('stop')], reason: 'stop' },
    { case: 'then as ""', chunks: [delta({ content: 'a' }), finish('stop'), finish('')], reason: 'stop' },
    { case: 'after usage', chunks: [delta({ content: 'a' }), chunk([], { usage: USAGE }), finish('length')], reason: 'length' },
  ])("$case: the last non-null wins (the issue rule over the doc's first-non-empty)", ({ chunks, reason }) => {
    expect(complete(chunks).choices[0]!.finish_reason).toBe(reason)
  })

  test.each([
    { case: 'twice with different values', chunks: [delta({ content: 'a' }), finish('tool_calls'), finish('stop')] },
    { case: 'as ""', chunks: [delta({ content: 'a' }), finish('')] },
  ])('strict mode: $case raises invalid_chunk', ({ chunks }) => {
    expect(failure(chunks, { strict: true })).toMatchObject({ code: 'invalid_chunk', path: '$.choices[0].finish_reason' })
  })
})

describe('10k choices or 10k tool calls (#33)', () => {
  test('10k choices stop at the limit: index 128 is invalid_index with 128 choices in partial', () => {
    const body = encodeSSE(Array.from({ length: 10_000 }, (_, i) => chunk([{ index: i, delta: { content: 'x' } }])))
    const { error } = parsePieces([body])
    expect(error).toMatchObject({ code: 'invalid_index', path: '$.choices[0].index', eventNumber: 129 })
    expect(((error as Loose).partial as ChatCompletion).choices).toHaveLength(128)
  })

  test('10k tool calls with distinct indexes stop at index 128 (invalid_index)', () => {
    const error = failure(Array.from({ length: 10_000 }, (_, i) => toolDelta({ index: i, id: `c${i}`, function: { name: 'f' } })))
    expect(error).toMatchObject({ code: 'invalid_index' })
    expect(toolCalls(error.partial as ChatCompletion)).toHaveLength(128)
  })

  test('10k tool calls sharing index 0 (new ids) stop at the 129th (limit_exceeded)', () => {
    const error = failure(Array.from({ length: 10_000 }, (_, i) => toolDelta({ index: 0, id: `c${i}`, function: { name: 'f' } })))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(toolCalls(error.partial as ChatCompletion)).toHaveLength(128)
  })

  test('10k tool calls without index or with new ids stop at the 129th (limit_exceeded)', () => {
    const error = failure(Array.from({ length: 10_000 }, (_, i) => toolDelta({ id: `c${i}`, function: { name: 'f' } })))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(toolCalls(error.partial as ChatCompletion)).toHaveLength(128)
  })
})

describe('10⁶ logprobs entries (#34)', () => {
  const entry = { token: 't', logprob: -1, bytes: [116], top_logprobs: [] }

  test('spread over chunks, they hit the maxBytes budget (limit_exceeded) long before they are all kept', () => {
    const acc = createChatCompletionAccumulator({ limits: { maxBytes: 1024 * 1024 } })
    const batch = Array.from({ length: 10_000 }, () => entry)
    let error: unknown
    let pushed = 0
    try {
      for (; pushed < 100; pushed++) acc.push(delta({}, { logprobs: { content: batch, refusal: null } }))
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'limit_exceeded', path: expect.stringMatching(/^\$\.choices\[0\]\.logprobs\.content\[\d+\]$/) })
    expect(pushed).toBeLessThan(10)
    const kept = ((error as Loose).partial as ChatCompletion).choices[0]!.logprobs!.content!.length
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(30_000)
  })

  test('in one event, the SSE layer stops them first (event_too_large)', () => {
    const body = encodeSSE([delta({}, { logprobs: { content: Array.from({ length: 100_000 }, () => entry), refusal: null } })])
    const { error } = parsePieces([HELLO + body], { maxEventBytes: 1024 * 1024 })
    expect(error).toMatchObject({ code: 'event_too_large', partial: { choices: [{ message: { content: 'Hello' } }] } })
  })
})

describe('100k-deep nesting in an unknown field (#35)', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)

  test.each([
    { where: 'the chunk', payload: `{"choices":[],"deep":${deep}}`, path: '$.deep' },
    { where: 'a delta', payload: `{"choices":[{"index":0,"delta":{"deep":${deep}}}]}`, path: '$.choices[0].delta.deep' },
    {
      where: 'a tool call',
      payload: `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"extra":${deep}}]}}]}`,
      path: '$.choices[0].delta.tool_calls[0].extra',
    },
  ])('in $where is max_depth, never a RangeError', ({ payload, path }) => {
    const { error } = parsePieces([HELLO + rawSSE(payload)])
    expect(error).not.toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ code: 'max_depth', path, partial: { choices: [{ message: { content: 'Hello' } }] } })
    expect(() => JSON.stringify((error as Loose).partial)).not.toThrow()
  })
})

/** A ReadableStream that serves `chunks` one per pull, then stays open; counts cancel() calls. */
function openStream(chunks: string[]): { stream: ReadableStream<Uint8Array>; cancels: unknown[] } {
  const cancels: unknown[] = []
  const encoder = new TextEncoder()
  let i = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]))
      // Then never enqueue again: the stream stays open until cancelled.
    },
    cancel(reason) {
      cancels.push(reason)
    },
  })
  return { stream, cancels }
}

describe('AbortSignal fires mid-stream (#36)', () => {
  test('accumulateChatCompletion rejects with signal.reason, cancels once, and the reason carries partial', async () => {
    const controller = new AbortController()
    const { stream, cancels } = openStream([HELLO])
    const reason = new Error('user pressed stop')
    const pending = accumulateChatCompletion(stream, { signal: controller.signal })
    setTimeout(() => controller.abort(reason), 10)
    await expect(pending).rejects.toBe(reason)
    expect(cancels).toHaveLength(1)
    expect(stream.locked).toBe(false)
    expect((reason as Error & Loose).partial).toMatchObject({ choices: [{ message: { content: 'Hello' } }] })
  })

  test('streamChatCompletion rejects the loop and finalChatCompletion() with signal.reason; snapshot() is retrievable', async () => {
    const controller = new AbortController()
    const { stream, cancels } = openStream([HELLO])
    const reason = new Error('stop')
    const events = streamChatCompletion(stream, { signal: controller.signal })
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const event of events) {
          seen.push(event.type)
          if (event.type === 'content.delta' && event.delta === 'lo') controller.abort(reason)
        }
      })(),
    ).rejects.toBe(reason)
    await expect(events.finalChatCompletion()).rejects.toBe(reason)
    expect(seen).toContain('content.delta')
    expect(cancels).toHaveLength(1)
    expect(events.snapshot().choices[0]!.message.content).toBe('Hello')
  })
})

test('a consumer that breaks out of the loop cancels the upstream once and releases the lock (#37)', async () => {
  const { stream, cancels } = openStream([HELLO, encodeSSE([delta({ content: ' more' })], false)])
  const events = streamChatCompletion(stream)
  for await (const event of events) if (event.type === 'content.delta') break
  expect(cancels).toHaveLength(1)
  expect(stream.locked).toBe(false)
  // The first read held both events of HELLO: everything received is in partial, the second read never happened.
  await expect(events.finalChatCompletion()).rejects.toMatchObject({
    code: 'aborted',
    partial: { choices: [{ message: { content: 'Hello' } }] },
  })
})

test.each([
  {
    source: 'a ReadableStream',
    make: () => {
      const encoder = new TextEncoder()
      let reads = 0
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          reads++
          if (reads <= 3) controller.enqueue(encoder.encode(encodeSSE([delta({ content: String(reads) })], false)))
          else controller.error(new Error('connection reset'))
        },
      })
    },
  },
  {
    source: 'an async iterable',
    make: () => ({
      async *[Symbol.asyncIterator]() {
        for (const c of ['1', '2', '3']) yield encodeSSE([delta({ content: c })], false)
        throw new Error('connection reset')
      },
    }),
  },
])('$source whose read() rejects after 3 events is stream_failed with the cause and the 3 deltas in partial (#38)', async ({ make }) => {
  const error = await accumulateChatCompletion(make()).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toMatchObject({
    name: 'DeltafoldError',
    code: 'stream_failed',
    cause: { message: 'connection reset' },
    partial: { choices: [{ message: { content: '123' } }] },
  })
})

test('1,000 concurrent streams with interleaved awaits share no state (#39)', async () => {
  const streams = Array.from({ length: 1000 }, (_, s) => ({
    async *[Symbol.asyncIterator]() {
      yield encodeSSE([delta({ role: 'assistant', content: `s${s}:` }, {}, { id: `id-${s}` })], false)
      for (let k = 0; k < 3; k++) {
        await new Promise((resolve) => setTimeout(resolve, (s * 7 + k) % 3))
        yield encodeSSE([toolDelta({ index: k % 2, id: `c${s}-${k % 2}`, function: { name: `f${s}`, arguments: String(k) } })], false)
      }
      yield encodeSSE([finish('tool_calls'), chunk([], { usage: { prompt_tokens: s, completion_tokens: 1, total_tokens: s + 1 } })])
    },
  }))
  const results = await Promise.all(streams.map((source) => accumulateChatCompletion(source)))
  results.forEach((completion, s) => {
    expect(completion.id).toBe(`id-${s}`)
    expect(message(completion).content).toBe(`s${s}:`)
    expect(toolCalls(completion).map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      [`c${s}-0`, `f${s}`, '02'],
      [`c${s}-1`, `f${s}`, '1'],
    ])
    expect(completion.usage).toEqual({ prompt_tokens: s, completion_tokens: 1, total_tokens: s + 1 })
  })
})

describe('every JSONTestSuite file as data:<file> (#40)', () => {
  const suite = JSON.parse(readFileSync(new URL('./fixtures/JSONTestSuite/test_parsing.json', import.meta.url), 'utf8')) as Array<{
    name: string
    input: string
  }>

  test('the suite is all there (95 y_, 188 n_, 35 i_)', () => {
    expect(suite.filter((f) => f.name.startsWith('y_'))).toHaveLength(95)
    expect(suite.filter((f) => f.name.startsWith('n_'))).toHaveLength(188)
    expect(suite.filter((f) => f.name.startsWith('i_'))).toHaveLength(35)
  })

  test.each(suite.map((f) => [f.name, f.input] as const))(
    '%s: y_ parse, n_ give invalid_json, i_ either; never a crash or hang',
    (name, input) => {
      // Each line of the file becomes one data: line; the decoder joins them with LF again.
      const lines = input.split(/\r\n|\r|\n/)
      const data = lines.join('\n')
      const { completion, error } = parsePieces([lines.map((l) => `data: ${l}\n`).join('') + '\n'])
      let parsed: unknown
      let valid = true
      try {
        parsed = JSON.parse(data)
      } catch {
        valid = false
      }
      if (name.startsWith('y_')) expect(valid).toBe(true)
      if (name.startsWith('n_') && data !== '') expect(valid).toBe(false)
      if (error !== undefined) expect(isDeltafoldError(error), String(error)).toBe(true)
      // Nothing but an empty or null payload: no chunk, so the stream is empty (not a success).
      if (data === '' || data === 'null') expect(error).toMatchObject({ code: 'empty_stream', eventNumber: 1, partial: { choices: [] } })
      else if (!valid) expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 1, data })
      else if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        expect(error).toMatchObject({ code: 'invalid_chunk', eventNumber: 1 })
      else {
        // A JSON object: the byte pipeline gives exactly what the accumulator gives for the parsed object.
        const direct = accumulate([parsed])
        if (direct.error === undefined) expect(completion).toEqual(direct.completion)
        else expect(error).toMatchObject({ code: (direct.error as { code: string }).code, eventNumber: 1 })
      }
    },
  )
})
