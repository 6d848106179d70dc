import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionStreamParser,
  isDeltafoldError,
  ProviderError,
  streamChatCompletion,
  type ChatCompletion,
  type CompletionEvent,
} from '@deltafold/core'
import {
  chunk,
  content,
  eventually,
  expectPrototypesUntouched,
  jsonTestSuite,
  LOOP_SURFACES,
  prototypeState,
  released,
  runSurface,
  sse,
  SURFACES,
  type Loose,
  type PrototypeState,
  type RunResult,
  type SourceEnd,
  type Surface,
} from './helpers.js'

// hostile-inputs.md §4 at the level the core hostile suites do not reach: the adapters (web
// `fromResponse` and TransformStream chain, node `accumulateFromReadable` and transform pipeline)
// next to core's two async entry points, all driven by the same scripted sources. After every test
// Object.prototype and Array.prototype must have exactly the own property names they had before.
let prototypesBefore: PrototypeState
beforeEach(() => {
  prototypesBefore = prototypeState()
})
afterEach(() => {
  expectPrototypesUntouched(prototypesBefore)
})

const HELLO = sse(content('Hello'))
const partialContent = (value: unknown) =>
  ((value as Loose | undefined)?.partial as ChatCompletion | undefined)?.choices[0]?.message.content
const snapshotContent = (run: RunResult) => run.snapshot().choices[0]?.message.content

/** The surfaces that report failures as core does: typed errors for read failures, byte offsets. */
const CORE_LIKE: readonly Surface[] = ['core.accumulate', 'core.stream', 'web.fromResponse', 'web.decoder', 'node.accumulate']

describe('an AbortSignal fired mid-stream rejects with its reason and the partial, on every entry point (#36)', () => {
  test.each(SURFACES)(
    '%s: rejects with signal.reason, the source cancelled once and released, snapshot and partial hold "Hello", no listener left',
    async (surface) => {
      const controller = new AbortController()
      const reason = new Error('user pressed stop')
      // The source sends one event, then the network goes silent; the abort lands while a read waits.
      const run = await runSurface(surface, [HELLO], 'stall', {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'content.delta') setTimeout(() => controller.abort(reason), 1)
        },
      })
      expect(run.completion).toBeUndefined()
      if (surface === 'node.pipeline') {
        // stream.pipeline() rejects with its own AbortError whose cause is the reason; the event
        // transform is destroyed with it, so finalChatCompletion() rejects with it too.
        expect(run.error).toMatchObject({ name: 'AbortError', cause: reason })
        expect(run.finalError).toBe(run.error)
        expect(partialContent(run.error)).toBe('Hello')
      } else {
        expect(run.error).toBe(reason)
        expect(run.finalError).toBe(reason)
        // The reason carries the partial completion, non-enumerable so that it is otherwise unchanged.
        expect(partialContent(reason)).toBe('Hello')
        expect(Object.keys(reason)).not.toContain('partial')
      }
      expect(snapshotContent(run)).toBe('Hello')
      expect(await eventually(() => released(run.source)), 'source released').toBe(true)
      expect(run.probe.cancels).toHaveLength(1)
      expect(run.abortListeners).toBe(0)
    },
  )
})

describe('a consumer that breaks out of the loop cancels the source once, on every entry point with a loop (#37)', () => {
  test.each(LOOP_SURFACES)(
    '%s: the source is cancelled once and released; finalChatCompletion rejects with the partial',
    async (surface) => {
      const run = await runSurface(surface, [HELLO, sse(content(' more'))], 'stall', {
        onConsumed: (event) => (event.type === 'content.delta' ? 'break' : undefined),
      })
      expect(run.events.filter((e) => e.type === 'content.delta')).toHaveLength(1)
      expect(await eventually(() => released(run.source)), 'source released').toBe(true)
      expect(run.probe.cancels).toHaveLength(1)
      expect(run.completion).toBeUndefined()
      if (surface === 'node.pipeline') {
        // Leaving the consumer early makes pipeline() destroy every stage with an AbortError; the
        // byte transform had read one piece ahead, and the event transform had accumulated it.
        expect(run.error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
        expect(run.finalError).toBe(run.error)
        expect(partialContent(run.finalError)).toBe('Hello more')
      } else {
        expect(run.error).toBeUndefined()
        expect(run.finalError).toMatchObject({ name: 'DeltafoldError', code: 'aborted' })
        expect(partialContent(run.finalError)).toBe('Hello')
        expect(snapshotContent(run)).toBe('Hello')
      }
    },
  )
})

describe('an upstream read that rejects after 3 events fails with the cause and the 3 deltas, on every entry point (#38)', () => {
  test.each(SURFACES)('%s: fails with the cause attached and the 3 deltas in partial', async (surface) => {
    const cause = new Error('connection reset')
    const run = await runSurface(surface, [sse(content('1')), sse(content('2')), sse(content('3')), { error: cause }], 'close')
    expect(run.completion).toBeUndefined()
    if (CORE_LIKE.includes(surface)) {
      expect(run.error).toMatchObject({ name: 'DeltafoldError', code: 'stream_failed', cause })
      expect(isDeltafoldError(run.error)).toBe(true)
    } else {
      // The stream chains pass the source's own error through, with a non-enumerable partial.
      expect(run.error).toBe(cause)
      expect(Object.keys(cause)).not.toContain('partial')
    }
    expect(run.finalError).toBe(run.error)
    expect(partialContent(run.error)).toBe('123')
    expect(snapshotContent(run)).toBe('123')
    // An errored web stream cannot be cancelled (its source's cancel is never called); the node
    // source was destroyed by its own failure, once.
    expect(await eventually(() => released(run.source)), 'source released').toBe(true)
    expect(run.probe.cancels).toHaveLength(surface.startsWith('node.') ? 1 : 0)
  })
})

/** A hostile payload sent after HELLO on a source that stays open: the pipeline must fail and cancel it. */
interface PayloadCase {
  id: string
  /** Bytes after HELLO. */
  body: string
  code: string
  /** JSON path of the offending value, when the accumulator reports one. */
  path?: string
  options?: Parameters<typeof runSurface>[3]
  /** The source ends after the body instead of staying open (for end-of-stream cases). */
  end?: 'close'
}

const DEEP = '['.repeat(100_000) + ']'.repeat(100_000)
const PAYLOADS: PayloadCase[] = [
  { id: 'data: not-json (#18)', body: 'data: not-json\n\n', code: 'invalid_json' },
  { id: 'a truncated chunk (#18)', body: 'data: {"choices":[{"index":0,"delta":{"content":"x"\n\n', code: 'invalid_json' },
  { id: 'an array payload (#18)', body: 'data: [1,2]\n\n', code: 'invalid_chunk' },
  { id: 'data: {"error": …} (#20)', body: sse('{"error":{"message":"overloaded","code":503}}'), code: 'upstream_error' },
  { id: 'event: error (#20)', body: 'event: error\ndata: {"error":{"message":"overloaded","code":503}}\n\n', code: 'upstream_error' },
  {
    id: 'tool-call index 1e9 (#21)',
    body: sse('{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e9,"id":"a"}]}}]}'),
    code: 'invalid_index',
    path: '$.choices[0].delta.tool_calls[0].index',
  },
  {
    id: 'choice index -1 (#22)',
    body: sse('{"choices":[{"index":-1,"delta":{"content":"x"}}]}'),
    code: 'invalid_index',
    path: '$.choices[0].index',
  },
  {
    id: 'choice index 1e400 (#22)',
    body: sse('{"choices":[{"index":1e400,"delta":{"content":"x"}}]}'),
    code: 'invalid_index',
    path: '$.choices[0].index',
  },
  {
    id: 'tool-call index "__proto__" (#23)',
    body: sse(
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":"__proto__","id":"a","function":{"arguments":"{\\"polluted\\":1}"}}]}}]}',
    ),
    code: 'invalid_index',
    path: '$.choices[0].delta.tool_calls[0].index',
  },
  {
    id: 'choice index "constructor" (#23)',
    body: sse('{"choices":[{"index":"constructor","delta":{"content":"polluted"}}]}'),
    code: 'invalid_index',
    path: '$.choices[0].index',
  },
  {
    id: 'index 0 reused by a new id (strict) (#27)',
    body: sse(
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'g' } }] } }]),
    ),
    code: 'index_conflict',
    path: '$.choices[0].delta.tool_calls[0].index',
    options: { strict: true },
  },
  {
    id: 'content as an object (#29)',
    body: sse('{"choices":[{"index":0,"delta":{"content":{"text":"x"}}}]}'),
    code: 'invalid_type',
    path: '$.choices[0].delta.content',
  },
  {
    id: 'arguments as a number (#29)',
    body: sse('{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"arguments":5}}]}}]}'),
    code: 'invalid_type',
    path: '$.choices[0].delta.tool_calls[0].function.arguments',
  },
  {
    id: 'choice index at maxChoices (#33)',
    body: sse('{"choices":[{"index":2,"delta":{"content":"x"}}]}'),
    code: 'invalid_index',
    path: '$.choices[0].index',
    options: { limits: { maxChoices: 2 } },
  },
  {
    id: 'a tool call past maxToolCalls (#33)',
    body: sse(...[0, 1, 2].map((i) => `{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"c${i}","function":{"name":"f"}}]}}]}`)),
    code: 'limit_exceeded',
    path: '$.choices[0].delta.tool_calls[0]',
    options: { limits: { maxToolCalls: 2 } },
  },
  {
    id: 'logprobs past maxBytes (#34)',
    body: sse(
      ...Array.from({ length: 20 }, () =>
        chunk([
          {
            index: 0,
            delta: {},
            logprobs: { content: Array.from({ length: 100 }, () => ({ token: 't', logprob: -1, bytes: [116], top_logprobs: [] })) },
          },
        ]),
      ),
    ),
    code: 'limit_exceeded',
    options: { limits: { maxBytes: 16 * 1024 } },
  },
  { id: '100k-deep nesting in an unknown field (#35)', body: sse(`{"choices":[],"deep":${DEEP}}`), code: 'max_depth', path: '$.deep' },
  { id: 'an event past maxEventBytes (#10)', body: 'data: ' + 'x'.repeat(5000), code: 'event_too_large', options: { maxEventBytes: 4096 } },
  {
    id: 'endless data lines past maxEventBytes (#11)',
    body: 'data: x\n'.repeat(3000),
    code: 'event_too_large',
    options: { maxEventBytes: 4096 },
  },
  {
    id: 'EOF before finish_reason (strict) (#14)',
    body: sse(content(' world')),
    code: 'unexpected_eof',
    path: '$.choices[0].finish_reason',
    options: { strict: true },
    end: 'close',
  },
]

describe.each(PAYLOADS)(
  'a hostile payload fails with its typed error on every entry point: $id',
  ({ body, code, path, options = {}, end = 'stall' as SourceEnd }) => {
    test.each(SURFACES)('%s: the exact typed error, the partial before it, the source cancelled once', async (surface) => {
      const run = await runSurface(surface, [HELLO, body], end, options)
      expect(run.completion).toBeUndefined()
      expect(isDeltafoldError(run.error), String(run.error)).toBe(true)
      expect(run.error).toMatchObject({ code })
      if (code === 'upstream_error') {
        expect(run.error).toBeInstanceOf(ProviderError)
        expect(run.error).toMatchObject({ error: { message: 'overloaded', code: 503 } })
      }
      if (path !== undefined) expect(run.error).toMatchObject({ path })
      expect(run.finalError).toBe(run.error)
      // Everything before the hostile event, and nothing of it.
      expect(partialContent(run.error)).toBe(code === 'unexpected_eof' ? 'Hello world' : 'Hello')
      expect(snapshotContent(run)).toBe(partialContent(run.error))
      // A source that stays open must be cancelled (destroyed) by the pipeline, exactly once; one that
      // ended is never cancelled (node counts its own end-of-stream destroy, done by autoDestroy).
      // The TransformStream chain propagates the error backwards through its pipes asynchronously,
      // after the consumer has seen it: wait for the source to be released, then count.
      expect(await eventually(() => released(run.source)), 'source released').toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 5))
      const cancels = end === 'stall' ? 1 : surface.startsWith('node.') ? run.probe.cancels.length : 0
      expect(run.probe.cancels).toHaveLength(cancels)
      expect(cancels).toBeLessThanOrEqual(1)
    })
  },
)

/** Input that is not an event stream (issue 16): the typed error, never a silent empty completion. */
const NOT_A_STREAM: Array<{ id: string; steps: string[]; code: string }> = [
  { id: 'plain text', steps: ['hello ', 'world\n'], code: 'not_event_stream' },
  { id: 'an HTML page', steps: ['<!doctype html><html>', '<body>502</body></html>'], code: 'not_event_stream' },
  { id: 'zero bytes', steps: [], code: 'empty_stream' },
  { id: 'only comments', steps: [': ping\n\n', ': ping\n\n'], code: 'empty_stream' },
  { id: 'only [DONE]', steps: ['data: [DONE]\n\n'], code: 'empty_stream' },
  {
    id: 'a JSON error body split inside its first token',
    steps: ['{', '"error":{"message":"overloaded","code":503}}'],
    code: 'upstream_error',
  },
]
const CORE_ENTRY_POINTS: readonly Surface[] = ['core.accumulate', 'core.stream']

describe.each(NOT_A_STREAM)('not a stream: $id, on the core entry points', ({ steps, code }) => {
  test.each(CORE_ENTRY_POINTS)('%s: %s is the typed error with an empty partial, the source released', async (surface) => {
    const run = await runSurface(surface, steps, 'close')
    expect(run.completion).toBeUndefined()
    expect(isDeltafoldError(run.error), String(run.error)).toBe(true)
    expect(run.error).toMatchObject({ code, partial: { choices: [] } })
    if (code === 'upstream_error') expect(run.error).toMatchObject({ error: { message: 'overloaded', code: 503 } })
    expect(run.finalError).toBe(run.error)
    expect(await eventually(() => released(run.source)), 'source released').toBe(true)
  })
})

test('not a stream: a non-streamed chat.completion body is accepted on the core entry points', async () => {
  const body = JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
  })
  for (const surface of CORE_ENTRY_POINTS) {
    const run = await runSurface(surface, [body.slice(0, 1), body.slice(1)], 'close')
    expect(run.error).toBeUndefined()
    expect(run.completion?.choices[0]?.message.content).toBe('Hello')
  }
})

describe('own __proto__ keys anywhere in a chunk are dropped and no prototype changes, on every entry point (#24)', () => {
  const POLLUTING = [
    '{"__proto__":{"polluted":"top"},"choices":[{"index":0,"__proto__":{"polluted":"choice"},"delta":{"content":" world","__proto__":{"polluted":"delta"}}}]}',
    '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","__proto__":{"polluted":1},"function":{"name":"f","arguments":"{}","__proto__":{"polluted":2}}}]},"logprobs":{"__proto__":{"polluted":3},"content":[{"token":"x","__proto__":{"polluted":4}}]}}]}',
    '{"choices":[{"index":0,"delta":{"meta":{"constructor":{"prototype":{"polluted":5}}}},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"__proto__":{"polluted":6}}}',
  ]

  test.each(SURFACES)('%s: completes, drops the keys, leaves every object plain and the prototypes unchanged', async (surface) => {
    const run = await runSurface(surface, [HELLO, sse(...POLLUTING, ...POLLUTING)], 'close')
    expect(run.error).toBeUndefined()
    const completion = run.completion!
    expect(completion.choices[0]!.message.content).toBe('Hello world world')
    expect(JSON.stringify(completion)).not.toMatch(/"__proto__"|"polluted":"|"polluted":[1-46]/)
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return
      expect(Object.getPrototypeOf(value)).toBe(Array.isArray(value) ? Array.prototype : Object.prototype)
      for (const v of Object.values(value)) walk(v)
    }
    walk(completion)
    // `constructor.prototype` is plain data: kept as it came.
    expect((completion.choices[0]!.message as unknown as Loose).meta).toEqual({ constructor: { prototype: { polluted: 5 } } })
    expectPrototypesUntouched(prototypesBefore)
  })
})

describe('1,000 concurrent streams through streamChatCompletion share no state, with interleaved awaits (#39)', () => {
  /** What stream `s` sends: its own id, content and tool calls, spread over pieces cut mid-event. */
  function streamBytes(s: number): string {
    const text =
      sse(chunk([{ index: 0, delta: { role: 'assistant', content: `s${s}:` } }], { id: `id-${s}` })) +
      sse(
        ...[0, 1, 2].map((k) =>
          chunk(
            [
              {
                index: 0,
                delta: { tool_calls: [{ index: k % 2, id: `c${s}-${k % 2}`, function: { name: `f${s}`, arguments: String(k) } }] },
              },
            ],
            { id: `id-${s}` },
          ),
        ),
      ) +
      sse(
        chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }], { id: `id-${s}` }),
        chunk([], { id: `id-${s}`, usage: { prompt_tokens: s, completion_tokens: 1, total_tokens: s + 1 } }),
      )
    // Every seventh stream turns hostile halfway: its own invalid_json must not touch the others.
    return s % 7 === 3 ? text.slice(0, text.length >> 1) + '\n\ndata: {oops}\n\n' + text.slice(text.length >> 1) : text
  }

  const pause = (s: number, k: number) =>
    (s + k) % 3 === 0
      ? new Promise((resolve) => setTimeout(resolve, (s * 7 + k) % 3))
      : (s + k) % 3 === 1
        ? new Promise((resolve) => setImmediate(resolve))
        : Promise.resolve()

  /** The events and outcome of stream `s` alone, synchronously: the ground truth. */
  function alone(s: number): { events: CompletionEvent[]; completion?: ChatCompletion; code?: string } {
    const events: CompletionEvent[] = []
    const parser = createChatCompletionStreamParser({ onEvent: (e) => events.push(e) })
    try {
      parser.feed(streamBytes(s))
      return { events, completion: parser.end() }
    } catch (error) {
      return { events, code: (error as { code: string }).code }
    }
  }

  const normalise = (events: CompletionEvent[]) => JSON.parse(JSON.stringify(events)) as unknown

  test('each stream gets exactly its own events and completion; hostile, aborted and abandoned streams fail alone', async () => {
    const N = 1000
    const results = await Promise.all(
      Array.from({ length: N }, async (_, s) => {
        const text = streamBytes(s)
        const source = {
          async *[Symbol.asyncIterator]() {
            // Pieces of 1 to 97 bytes, cut anywhere, with a different pause before each.
            for (let at = 0, k = 0; at < text.length; k++) {
              await pause(s, k)
              const size = 1 + ((s * 31 + k * 17) % 97)
              yield text.slice(at, at + size)
              at += size
            }
          },
        }
        const controller = new AbortController()
        const stream = streamChatCompletion(source, { signal: controller.signal })
        const events: CompletionEvent[] = []
        let error: unknown
        try {
          for await (const event of stream) {
            events.push(event)
            await pause(s, events.length)
            // Every eleventh stream is aborted after its role event, every thirteenth abandoned.
            if (s % 11 === 5) {
              if (event.type === 'role') controller.abort(new Error(`abort ${s}`))
            } else if (s % 13 === 6 && event.type === 'content.delta') break
          }
        } catch (e) {
          error = e
        }
        const final = await stream.finalChatCompletion().then(
          (completion) => ({ completion }),
          (e: unknown) => ({ error: e }),
        )
        return { events, error, final, snapshot: stream.snapshot() }
      }),
    )

    let exact = 0
    results.forEach(({ events, error, final, snapshot }, s) => {
      const truth = alone(s)
      const ownId = `id-${s}`
      // Nothing of another stream: every chunk, id and tool name is this stream's.
      for (const event of events) if (event.type === 'chunk') expect(event.chunk.id).toBe(ownId)
      expect(JSON.stringify(events)).not.toMatch(new RegExp(`"id-(?!${s}")\\d+"|"f(?!${s}")\\d+"`))
      if (s % 11 === 5) {
        expect((error as Error).message).toBe(`abort ${s}`)
        expect(final).toEqual({ error })
        expect(normalise(events)).toEqual(normalise(truth.events.slice(0, events.length)))
      } else if (s % 13 === 6) {
        expect(error).toBeUndefined()
        expect((final as { error: Loose }).error).toMatchObject({ code: 'aborted' })
        expect(normalise(events)).toEqual(normalise(truth.events.slice(0, events.length)))
      } else if (truth.code !== undefined) {
        expect(error).toMatchObject({ code: truth.code })
        expect((final as { error: unknown }).error).toBe(error)
        // The events decoded before the failure are all handed out, whatever the chunking.
        expect(normalise(events)).toEqual(normalise(truth.events))
        expect((error as Loose).partial).toEqual(snapshot)
      } else {
        expect(error).toBeUndefined()
        expect(normalise(events)).toEqual(normalise(truth.events))
        expect((final as { completion: ChatCompletion }).completion).toEqual(truth.completion)
        expect(snapshot).toEqual(truth.completion)
        exact++
      }
    })
    // 1000 minus the hostile (1 in 7), aborted (1 in 11) and abandoned (1 in 13) ones.
    expect(exact).toBeGreaterThan(700)
  })
})

describe('every JSONTestSuite file as the data: of an event is accepted exactly or a typed error, on every entry point (#40)', () => {
  const suite = jsonTestSuite()
  const SSE_INPUT = (input: string) => {
    // data: lines cannot hold CR or LF: a file with line breaks becomes one data: line per line,
    // which the decoder joins with LF again (CR and CRLF are JSON whitespace like LF, or invalid
    // inside a string either way, so validity is unchanged).
    const lines = input.split(/\r\n|\r|\n/)
    return { text: lines.map((line) => `data: ${line}\n`).join('') + '\n', data: lines.join('\n') }
  }

  /** What the pipeline must make of `data`: skipped, invalid_json, invalid_chunk, or a completion built from these top-level fields. */
  function expected(data: string): { code?: string; completion?: Loose } {
    // No chunk at all: an empty stream (issue 16), not an empty success.
    if (data === '' || data === 'null') return { code: 'empty_stream' }
    let value: unknown
    try {
      value = JSON.parse(data)
    } catch {
      return { code: 'invalid_json' }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { code: 'invalid_chunk' }
    // Every object in the suite has only top-level fields that are provider extras (or `id`).
    const out: Loose = { id: '', object: 'chat.completion', created: 0, model: '', choices: [] }
    for (const [key, v] of Object.entries(value)) {
      if (key === 'id' && typeof v === 'string') out.id = v
      else if (key !== '__proto__' && v !== null) out[key] = v
    }
    return { completion: out }
  }

  test('the suite is all there (95 y_, 188 n_, 35 i_), and every y_ object is one of the shapes above', () => {
    expect(suite.filter((f) => f.name.startsWith('y_'))).toHaveLength(95)
    expect(suite.filter((f) => f.name.startsWith('n_'))).toHaveLength(188)
    expect(suite.filter((f) => f.name.startsWith('i_'))).toHaveLength(35)
  })

  test.each(suite.map((f) => [f.name, f.input] as const))('%s', async (name, input) => {
    const { text, data } = SSE_INPUT(input)
    const want = expected(data)
    if (name.startsWith('y_')) expect(want.code === 'invalid_json').toBe(false)
    if (name.startsWith('n_') && data !== '') expect(want.code).toBe('invalid_json')
    // The empty-stream rule lives in core's stream parser: the surfaces that wrap it. The web and
    // node stream chains get it when they wrap the parser too (the adapters' rows of issue 20).
    for (const surface of want.code === 'empty_stream' ? CORE_LIKE : SURFACES) {
      const run = await runSurface(surface, [text], 'close')
      if (want.code !== undefined) {
        expect(isDeltafoldError(run.error), `${surface}: ${String(run.error)}`).toBe(true)
        expect(run.error, surface).toMatchObject(
          want.code === 'empty_stream' ? { code: want.code, eventNumber: 1 } : { code: want.code, eventNumber: 1, data },
        )
        expect((run.error as Loose).partial, surface).toEqual(
          want.completion ?? { id: '', object: 'chat.completion', created: 0, model: '', choices: [] },
        )
      } else {
        expect(run.error, surface).toBeUndefined()
        expect(run.completion, surface).toEqual(want.completion)
      }
    }
  })
})

describe('maxBytes bounds what a stream makes the accumulator hold, wherever the bytes are put (#34)', () => {
  // Small limits: 64 KiB events, 256 KiB budget. Whatever the stream sends, the completion must
  // stay within a small multiple of the budget (JSON escapes can make a counted character 6).
  const LIMITS = { maxEventBytes: 64 * 1024, limits: { maxBytes: 256 * 1024 } }
  const BOUND = 6 * 256 * 1024 + 64 * 1024
  const FILLER = 'x'.repeat(60_000)

  /** Feeds `payloads` until the parser fails; the JSON size of what it holds, and the error. */
  function hold(payloads: Iterable<string>): { size: number; error: unknown } {
    const parser = createChatCompletionStreamParser(LIMITS)
    let error: unknown
    try {
      for (const payload of payloads) parser.feed(`data: ${payload}\n\n`)
    } catch (e) {
      error = e
    }
    return { size: JSON.stringify(parser.snapshot()).length, error }
  }
  function* times(n: number, make: (i: number) => string) {
    for (let i = 0; i < n; i++) yield make(i)
  }

  test('text fields: content spread over many events hits limit_exceeded within the bound', () => {
    const { size, error } = hold(times(200, () => `{"choices":[{"index":0,"delta":{"content":"${FILLER}"}}]}`))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(size).toBeLessThan(BOUND)
  })

  test('unknown values: long string values in extras hit limit_exceeded within the bound', () => {
    const { size, error } = hold(times(200, (i) => `{"choices":[],"k${i}":"${FILLER}"}`))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(size).toBeLessThan(BOUND)
  })

  // Regression (fixed at the root; was a bug in chat-completion-accumulator.ts, keepExtras / applyMetadata / applyDelta): the names of
  // unknown fields are never counted against maxBytes (only their values are, and keys nested
  // inside kept objects). One long key per event with a tiny value (`{"<60 KB name>":0}`) costs
  // 8 budget bytes and keeps 60 KB: 200 such events hold 12 MB under a 256 KiB budget, without end.
  test.each([
    ['the chunk', (key: string) => `{"${key}":0,"choices":[]}`],
    ['a choice', (key: string) => `{"choices":[{"index":0,"${key}":0}]}`],
    ['a delta', (key: string) => `{"choices":[{"index":0,"delta":{"${key}":0}}]}`],
    ['a tool call', (key: string) => `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"${key}":0}]}}]}`],
  ])('regression: long unknown field names in %s are counted, so they hit limit_exceeded within the bound', (_where, make) => {
    const { size, error } = hold(times(200, (i) => make(`k${i}_${FILLER}`)))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(size).toBeLessThan(BOUND)
  })

  // Regression (fixed at the root; was a bug in chat-completion-accumulator.ts, applyToolCall): a tool call's `type` is kept (first
  // non-empty value) but never counted: each new call can hold one maxEventBytes-sized type for
  // free. 128 choices × 128 calls × 16 MiB under the default limits.
  test('regression: a long tool-call type is counted, so new calls with one hit limit_exceeded within the bound', () => {
    const { size, error } = hold(
      times(100, (i) => `{"choices":[{"index":${i >> 3},"delta":{"tool_calls":[{"index":${i & 7},"type":"${FILLER}"}]}}]}`),
    )
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(size).toBeLessThan(BOUND)
  })

  // Regression (fixed at the root; was a bug in chat-completion-accumulator.ts, applyChoice): `finish_reason` is kept (the last one wins)
  // but never counted: each choice holds one maxEventBytes-sized finish_reason for free (128 × 16 MiB
  // = 2 GiB under the default limits, whose maxBytes is 64 MiB).
  test('regression: a long finish_reason is counted, so choices with one hit limit_exceeded within the bound', () => {
    const { size, error } = hold(times(100, (i) => `{"choices":[{"index":${i},"delta":{},"finish_reason":"${FILLER}"}]}`))
    expect(error).toMatchObject({ code: 'limit_exceeded' })
    expect(size).toBeLessThan(BOUND)
  })
})

describe('numbers JSON.parse turns into Infinity never reach the completion (found by the fuzzer)', () => {
  // Regression (fixed at the root; was a bug in chat-completion-accumulator.ts, applyMetadata `created` and `keep`): `1e400` parses to
  // Infinity and is kept as it is in `created`, usage, logprobs and provider extras, so the completion
  // is no longer JSON: JSON.stringify writes null and the round trip changes it. A non-finite number
  // should be invalid_type (or dropped) the way a non-finite index is invalid_index.
  test.each([
    ['created', '{"created":1e400,"choices":[]}'],
    ['usage', '{"choices":[],"usage":{"prompt_tokens":1e400,"completion_tokens":1,"total_tokens":2}}'],
    [
      'a logprob',
      '{"choices":[{"index":0,"delta":{},"logprobs":{"content":[{"token":"x","logprob":-1e400,"bytes":null,"top_logprobs":[]}]}}]}',
    ],
    ['a provider extra', '{"choices":[],"x_meta":{"latency":1e400}}'],
  ])('regression: 1e400 in %s never reaches the completion as Infinity', async (_where, payload) => {
    const completion = await accumulateChatCompletion(sse(payload)).catch((e: unknown) => (e as Loose).partial as ChatCompletion)
    expect(JSON.parse(JSON.stringify(completion))).toEqual(completion)
  })
})
