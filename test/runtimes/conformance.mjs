// The runtime conformance suite: one plain ES module (no TypeScript, no imports, no file system) that
// Node, Deno, Bun, workerd and Chromium run unchanged against the *built* packages. Each runner imports
// `@deltafold/core` and `@deltafold/web` from their dist as a user would, plus the fixtures bundled by
// generate-fixtures.mjs, and hands them in. The exhaustive tables (all WHATWG cases, all property
// tests) live in the packages' vitest suites; this file checks that the same behaviour holds where the
// platform differs: TextDecoder, ReadableStream/TransformStream, Response, AbortSignal, timers.

/** Most time one case may take before it counts as hung (a missing cancel, a never-settling promise). */
const CASE_TIMEOUT_MS = 5000
/** Chunk size for byte-split runs: small and odd, so splits land inside UTF-8 sequences and CRLFs. */
const SPLIT_BYTES = 7
/** Most chunks one fixture is split into: enough to cross every platform stream boundary, few enough
 * that 40 fixtures × 3 stream paths stay well under a second in every runtime. */
const MAX_FIXTURE_CHUNKS = 256

const encoder = new TextEncoder()

/**
 * Runs every conformance case and never throws: failures are collected.
 *
 * @param options - `core` and `web`: the imported dist modules (`web` may lack exports not written
 *   yet: those cases are skipped and named in `skipped`); `fixtures`: the array from
 *   `.tmp/fixtures.generated.mjs`; `log`: receives one line per failure (default: nothing)
 * @returns `{ passed, failed, skipped, failures: [{ name, message }], skippedNames }`
 * @example
 * ```js
 * import * as core from '../../packages/core/dist/index.js'
 * import * as web from '../../packages/web/dist/index.js'
 * import { fixtures } from './.tmp/fixtures.generated.mjs'
 * const result = await runConformance({ core, web, fixtures, log: console.log })
 * ```
 */
export async function runConformance({ core, web = {}, fixtures = [], log = () => {} }) {
  const chat = fixtures.filter((fixture) => fixture.format === undefined)
  const formats = fixtures.filter((fixture) => fixture.format !== undefined)
  const cases = [
    ...sseCases(core),
    ...fixtureCases(core, web, chat),
    ...formatCases(core, web, formats),
    ...hostileCases(core),
    ...partialJSONCases(core),
  ]
  cases.push(...coreStreamCases(core), ...webCases(core, web))
  const result = { passed: 0, failed: 0, skipped: 0, failures: [], skippedNames: [] }
  for (const { name, run, skip } of cases) {
    if (skip) {
      result.skipped++
      result.skippedNames.push(`${name} (${skip})`)
      continue
    }
    try {
      await withTimeout(run(), CASE_TIMEOUT_MS, name)
      result.passed++
    } catch (error) {
      result.failed++
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      result.failures.push({ name, message })
      log(`FAIL ${name}: ${message}`)
    }
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// SSE: a compact WPT-style table. Every case runs three ways: its chunks as UTF-8 bytes, the whole
// input one byte at a time, and the whole input as one string.

const M = 'message'
const SSE_TABLE = [
  { name: 'strips one leading BOM split across chunks', chunks: [[0xef], [0xbb, 0xbf], 'data: a\n\n'], events: [[M, 'a', '']] },
  {
    name: 'strips only the first BOM: a second one is part of the field name',
    chunks: ['\ufeff\ufeffdata: a\n\ndata: b\n\n'],
    events: [[M, 'b', '']],
  },
  { name: 'joins a CRLF split across chunks', chunks: ['data: a\r', '\ndata: b\r\n\r', '\n'], events: [[M, 'a\nb', '']] },
  {
    name: 'treats a lone CR as a line end',
    chunks: ['data: a\rdata: b\r\rdata: c\r\r'],
    events: [
      [M, 'a\nb', ''],
      [M, 'c', ''],
    ],
  },
  {
    name: 'reports comments without dispatching them',
    chunks: [': hello\n:world\n:\ndata: x\n\n'],
    comments: ['hello', 'world', ''],
    events: [[M, 'x', '']],
  },
  {
    name: 'keeps the last event ID across events until an id field changes it',
    chunks: ['id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\nid\ndata: d\n\n'],
    events: [
      [M, 'a', '1'],
      [M, 'b', '1'],
      [M, 'c', '2'],
      [M, 'd', ''],
    ],
  },
  {
    name: 'ignores an id containing NUL',
    chunks: ['id: 1\ndata: a\n\nid: x\u0000y\ndata: b\n\n'],
    events: [
      [M, 'a', '1'],
      [M, 'b', '1'],
    ],
  },
  {
    name: 'accepts retry only when it is all ASCII digits',
    chunks: ['retry: 1000\nretry: 10x\nretry\nretry: -1\nretry:  5\nretry: 7\ndata: a\n\n'],
    retries: [1000, 7],
    events: [[M, 'a', '']],
  },
  {
    name: 'parses fields: no colon, no space, two spaces, event type, unknown names and case',
    chunks: ['data\n\ndata:a\ndata: b\ndata:  c\n\nevent: foo\ndata: x\n\nevent:\ndata: y\n\nData: z\n\n data: z\n\nfoo: bar\n\n'],
    events: [
      [M, '', ''],
      [M, 'a\nb\n c', ''],
      ['foo', 'x', ''],
      [M, 'y', ''],
    ],
  },
  { name: 'decodes UTF-8 whatever the split', chunks: ['data: é€😀\n\n'], events: [[M, 'é€😀', '']] },
  { name: 'discards an unterminated event at the end', chunks: ['data: a\n\ndata: b'], events: [[M, 'a', '']] },
  {
    name: 'dispatchUnterminated: dispatches the unterminated event at the end',
    options: { dispatchUnterminated: true },
    chunks: ['data: a\n\ndata: b'],
    events: [
      [M, 'a', ''],
      [M, 'b', ''],
    ],
  },
]

function sseCases(core) {
  return SSE_TABLE.map((row) => ({
    name: `sse: ${row.name}`,
    run: async () => {
      const expected = {
        events: row.events.map(([type, data, lastEventId]) => ({ type, data, lastEventId })),
        comments: row.comments ?? [],
        retries: row.retries ?? [],
      }
      const chunks = row.chunks.map((chunk) => (typeof chunk === 'string' ? encoder.encode(chunk) : Uint8Array.from(chunk)))
      const whole = concat(chunks)
      const oneByOne = Array.from(whole, (byte) => Uint8Array.of(byte))
      const asText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(whole)
      deepEqual(decode(core, chunks, row.options), expected, 'chunks as bytes')
      deepEqual(decode(core, oneByOne, row.options), expected, 'one byte at a time')
      deepEqual(decode(core, [asText], row.options), expected, 'one string')
    },
  }))
}

function decode(core, chunks, options) {
  const out = { events: [], comments: [], retries: [] }
  const decoder = core.createSSEDecoder(
    {
      onEvent: (event) => out.events.push({ type: event.type, data: event.data, lastEventId: event.lastEventId }),
      onComment: (text) => out.comments.push(text),
      onRetry: (ms) => out.retries.push(ms),
    },
    options,
  )
  for (const chunk of chunks) decoder.feed(chunk)
  decoder.end()
  return out
}

// ---------------------------------------------------------------------------------------------
// Recorded fixtures: each gives Node's completion (computed from the same dist when the fixtures
// were generated) whole, split into small odd-sized chunks of a ReadableStream, as a Response body, and
// through @deltafold/web's TransformStream pipeline and fromResponse.

function fixtureCases(core, web, fixtures) {
  if (fixtures.length === 0)
    return [{ name: 'fixtures: at least one recorded fixture is bundled', run: async () => fail('no fixtures were passed') }]
  return fixtures.map((fixture) => ({
    name: `fixture: ${fixture.name}`,
    run: async () => {
      const bytes = encoder.encode(fixture.sse)
      // Odd sizes keep splitting inside UTF-8 sequences; whole-input splits are core's vitest job.
      const size = Math.max(SPLIT_BYTES, Math.floor(bytes.length / MAX_FIXTURE_CHUNKS) | 1)
      await expectOutcome(() => core.accumulateChatCompletion(fixture.sse), fixture.expected, 'whole string')
      await expectOutcome(() => core.accumulateChatCompletion(streamOf(splitBytes(bytes, size))), fixture.expected, `${size}-byte chunks`)
      const response = new Response(bytes, { headers: { 'content-type': 'text/event-stream' } })
      await expectOutcome(() => core.accumulateChatCompletion(response), fixture.expected, 'Response body')
      if (hasWeb(web, 'SSEDecoderStream', 'ChatCompletionChunkStream', 'ChatCompletionEventStream')) {
        const chunks = streamOf(splitBytes(bytes, size))
        await expectOutcome(async () => (await webPipeline(web, chunks)).completion, fixture.expected, 'web TransformStream pipeline')
      }
      if (hasWeb(web, 'ChatCompletionDecoderStream')) {
        const decoder = new web.ChatCompletionDecoderStream()
        const run = async () => {
          await collect(streamOf(splitBytes(bytes, size)).pipeThrough(decoder))
          return decoder.finalChatCompletion()
        }
        await expectOutcome(run, fixture.expected, 'web ChatCompletionDecoderStream')
      }
      if (hasWeb(web, 'fromResponse')) {
        const chunked = new Response(streamOf(splitBytes(bytes, size)), { headers: { 'content-type': 'text/event-stream' } })
        await expectOutcome(() => web.fromResponse(chunked).finalChatCompletion(), fixture.expected, 'web fromResponse')
      }
    },
  }))
}

// ---------------------------------------------------------------------------------------------
// The other wire formats (issue 15): each Anthropic / Responses fixture folded natively
// (accumulateAnthropicMessage / accumulateResponse) and translated to chat (format 'auto' and the
// explicit format), from split bytes, through fromResponse and through the normalize stream.

function formatCases(core, web, fixtures) {
  return fixtures.map((fixture) => ({
    name: `format fixture: ${fixture.name}`,
    run: async () => {
      const bytes = encoder.encode(fixture.sse)
      const size = Math.max(SPLIT_BYTES, Math.floor(bytes.length / MAX_FIXTURE_CHUNKS) | 1)
      const chunks = () => streamOf(splitBytes(bytes, size))
      const fold = fixture.format === 'anthropic' ? core.accumulateAnthropicMessage : core.accumulateResponse
      await expectOutcome(() => fold(fixture.sse), fixture.native, `${fold.name} whole string`)
      await expectOutcome(() => fold(chunks()), fixture.native, `${fold.name} ${size}-byte chunks`)
      const chat = async (completion) => ({ ...(await completion), created: 0 })
      await expectOutcome(
        () => chat(core.accumulateChatCompletion(chunks(), { format: 'auto' })),
        fixture.expected,
        `format 'auto', ${size}-byte chunks`,
      )
      await expectOutcome(
        () => chat(core.accumulateChatCompletion(chunks(), { format: fixture.format })),
        fixture.expected,
        `format '${fixture.format}'`,
      )
      if (hasWeb(web, 'fromResponse')) {
        const response = new Response(chunks(), { headers: { 'content-type': 'text/event-stream' } })
        await expectOutcome(
          () => chat(web.fromResponse(response, { format: 'auto' }).finalChatCompletion()),
          fixture.expected,
          "web fromResponse, format 'auto'",
        )
      }
      if (hasWeb(web, 'ChatCompletionNormalizeStream')) {
        // The normalized output is a chat stream: folded as chat it gives the same completion (or an
        // error event with the same code, which folds to a ProviderError carrying it).
        const parts = await collect(chunks().pipeThrough(new web.ChatCompletionNormalizeStream({ format: 'auto' })))
        const text = new TextDecoder().decode(concat(parts))
        if ('completion' in fixture.expected) {
          await expectOutcome(
            () => chat(core.accumulateChatCompletion(text)),
            fixture.expected,
            "web ChatCompletionNormalizeStream, format 'auto'",
          )
        } else {
          const error = await rejection(core.accumulateChatCompletion(text))
          equal(error.name, 'ProviderError', 'normalized error event: name')
          // A provider error is re-emitted as the provider's own object; bad input as an invalid_stream error with its code.
          const provider = fixture.expected.error.code === 'upstream_error'
          equal(
            error.error?.type === 'invalid_stream' ? error.error.code : 'upstream_error',
            provider ? 'upstream_error' : fixture.expected.error.code,
            'normalized error event',
          )
        }
      }
    },
  }))
}

function hasWeb(web, ...names) {
  return names.every((name) => typeof web[name] === 'function')
}

async function expectOutcome(run, expected, what) {
  let actual
  try {
    actual = { completion: await run() }
  } catch (error) {
    if ('completion' in expected) fail(`${what}: expected a completion, got ${error?.name} ${error?.code ?? ''}: ${error?.message}`)
    actual = { error: { name: error?.name, code: error?.code } }
  }
  deepEqual(JSON.parse(JSON.stringify(actual)), expected, what)
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs (shared/research/hostile-inputs.md): typed errors that keep what was received, and
// wire data that never reaches a prototype.

const HELLO =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n'

function hostileCases(core) {
  return [
    {
      name: 'hostile: an event over maxEventBytes fails with event_too_large and keeps the partial completion',
      run: async () => {
        const error = await rejection(core.accumulateChatCompletion(HELLO + 'data: ' + 'x'.repeat(4096) + '\n\n', { maxEventBytes: 1024 }))
        equal(core.isDeltafoldError(error), true, 'isDeltafoldError')
        equal(error.code, 'event_too_large', 'code')
        equal(error.eventNumber, 2, 'eventNumber')
        equal(error.partial?.choices?.[0]?.message?.content, 'Hi', 'partial content')
      },
    },
    {
      name: 'hostile: invalid JSON fails with invalid_json, its event number, data and the partial completion',
      run: async () => {
        const error = await rejection(core.accumulateChatCompletion([HELLO, 'data: {"choices":[{oops\n\n']))
        equal(error.name, 'DeltafoldError', 'name')
        equal(error.code, 'invalid_json', 'code')
        equal(error.eventNumber, 2, 'eventNumber')
        equal(error.data, '{"choices":[{oops', 'data')
        equal(error.partial?.choices?.[0]?.message?.content, 'Hi', 'partial content')
      },
    },
    {
      name: 'hostile: __proto__ keys in a chunk leave Object.prototype untouched',
      run: async () => {
        const chunk =
          '{"__proto__":{"polluted":1},"id":"c1","choices":[{"index":0,"__proto__":{"polluted":2},' +
          '"delta":{"content":"x","__proto__":{"polluted":3},"tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{}","__proto__":{"polluted":4}}}]}}]}'
        const completion = await core.accumulateChatCompletion(`data: ${chunk}\n\n`)
        equal({}.polluted, undefined, '({}).polluted')
        equal(Object.hasOwn(Object.prototype, 'polluted'), false, 'Object.prototype.polluted')
        equal(Object.getPrototypeOf(completion), Object.prototype, 'completion prototype')
        equal(Object.getPrototypeOf(completion.choices[0].message), Object.prototype, 'message prototype')
        equal(completion.choices[0].message.content, 'x', 'content')
        equal(completion.polluted, undefined, 'completion.polluted')
      },
    },
    {
      name: 'hostile: a choice index of 1e9 fails with invalid_index',
      run: async () => {
        const error = await rejection(
          core.accumulateChatCompletion(HELLO + 'data: {"choices":[{"index":1e9,"delta":{"content":"x"}}]}\n\n'),
        )
        equal(error.code, 'invalid_index', 'code')
        equal(error.path, '$.choices[0].index', 'path')
        equal(error.partial?.choices?.length, 1, 'partial choices')
      },
    },
    {
      name: 'hostile: a tool-call index of 1e9 fails with invalid_index',
      run: async () => {
        const body =
          'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e9,"id":"t","function":{"name":"f","arguments":""}}]}}]}\n\n'
        const error = await rejection(core.accumulateChatCompletion(body))
        equal(error.code, 'invalid_index', 'code')
      },
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// Partial JSON

const DOCUMENT =
  '{"city":"Paris","days":[1,2.5,-3e2],"ok":true,"none":null,"text":"tab\\t quote\\" é \\u00e9 \\ud83d\\ude00 😀","nested":{"a":[{"b":[]}],"c":{}}}'

function partialJSONCases(core) {
  return [
    {
      name: 'partial JSON: shows the value so far while a document arrives',
      run: async () => {
        const parser = core.createPartialJSONParser()
        parser.feed('{"city":"Par')
        deepEqual(parser.value, { city: 'Par' }, 'after {"city":"Par')
        parser.feed('is","days":[1,')
        deepEqual(parser.value, { city: 'Paris', days: [1] }, 'after "days":[1,')
        parser.feed('2]}')
        deepEqual(parser.end(), { city: 'Paris', days: [1, 2] }, 'end()')
      },
    },
    {
      name: 'partial JSON: a document split at every offset ends equal to JSON.parse',
      run: async () => {
        const expected = JSON.parse(DOCUMENT)
        for (let at = 0; at <= DOCUMENT.length; at++) {
          const parser = core.createPartialJSONParser()
          parser.feed(DOCUMENT.slice(0, at))
          parser.feed(DOCUMENT.slice(at))
          deepEqual(parser.end(), expected, `split at ${at}`)
        }
        const parser = core.createPartialJSONParser()
        for (const character of DOCUMENT) parser.feed(character)
        deepEqual(parser.end(), expected, 'one character at a time')
      },
    },
    {
      name: 'partial JSON: an invalid document fails with invalid_json',
      run: async () => {
        const parser = core.createPartialJSONParser()
        const error = thrown(() => parser.feed('{"a":1,}'))
        equal(core.isDeltafoldError(error), true, 'isDeltafoldError')
        equal(error.code, 'invalid_json', 'code')
      },
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// Core over the platform's streams: ReadableStream, Response, AbortSignal.

const TWO_CHUNKS = [
  HELLO,
  'data: {"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n',
  'data: [DONE]\n\n',
]

function coreStreamCases(core) {
  return [
    {
      name: 'core: accumulateChatCompletion reads a ReadableStream and cancels it once after [DONE]',
      run: async () => {
        const source = countingStream([...TWO_CHUNKS, 'data: {"not":"read"}\n\n'], { hangAtEnd: true })
        const completion = await core.accumulateChatCompletion(source.stream)
        equal(completion.choices[0].message.content, 'Hi there', 'content')
        equal(completion.usage.total_tokens, 5, 'usage')
        equal(source.cancels, 1, 'cancel calls')
      },
    },
    {
      name: 'core: streamChatCompletion yields typed events and the final completion',
      run: async () => {
        const stream = core.streamChatCompletion(streamOf(TWO_CHUNKS.map((chunk) => encoder.encode(chunk))))
        const deltas = []
        const types = new Set()
        for await (const event of stream) {
          types.add(event.type)
          if (event.type === 'content.delta') deltas.push(event.delta)
        }
        equal(deltas.join(''), 'Hi there', 'content deltas')
        for (const type of ['chunk', 'role', 'content.delta', 'content.done', 'finish', 'usage', 'done'])
          equal(types.has(type), true, `event ${type}`)
        equal((await stream.finalChatCompletion()).choices[0].finish_reason, 'stop', 'finish_reason')
      },
    },
    {
      name: 'core: an AbortSignal rejects with its reason and cancels the source once',
      run: async () => {
        const source = countingStream([HELLO], { hangAtEnd: true })
        const controller = new AbortController()
        const reason = new Error('stop now')
        const pending = core.accumulateChatCompletion(source.stream, { signal: controller.signal })
        await delay(10)
        controller.abort(reason)
        const error = await rejection(pending)
        equal(error, reason, 'rejects with signal.reason')
        equal(error.partial?.choices?.[0]?.message?.content, 'Hi', 'partial attached to the reason')
        await delay(0)
        equal(source.cancels, 1, 'cancel calls')
      },
    },
    {
      name: 'core: a non-2xx Response fails with ProviderError http_error carrying the body',
      run: async () => {
        const response = new Response('{"error":{"message":"Rate limited","code":429}}', {
          status: 429,
          headers: { 'content-type': 'application/json' },
        })
        const error = await rejection(core.accumulateChatCompletion(response))
        equal(error instanceof core.ProviderError, true, 'instanceof ProviderError')
        equal(error.code, 'http_error', 'code')
        equal(error.status, 429, 'status')
        deepEqual(error.error, { error: { message: 'Rate limited', code: 429 } }, 'error (the parsed body)')
      },
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// @deltafold/web: the TransformStream pipeline and fromResponse. A case whose export the web dist
// lacks is skipped and named in the result.

function webCases(core, web) {
  const need = (...names) => {
    const missing = names.filter((name) => typeof web[name] !== 'function')
    return missing.length === 0 ? undefined : `@deltafold/web does not export ${missing.join(', ')}`
  }
  const BODY = TWO_CHUNKS.join('')
  const body = () => streamOf(splitBytes(encoder.encode(BODY), SPLIT_BYTES))
  return [
    {
      name: 'web: SSEDecoderStream turns bytes into the events createSSEDecoder gives',
      skip: need('SSEDecoderStream'),
      run: async () => {
        const events = await collect(body().pipeThrough(new web.SSEDecoderStream()))
        deepEqual(events.map(plainEvent), decode(core, [encoder.encode(BODY)]).events, 'events')
      },
    },
    {
      name: 'web: ChatCompletionChunkStream yields the parsed chunks and stops at [DONE]',
      skip: need('SSEDecoderStream', 'ChatCompletionChunkStream'),
      run: async () => {
        const chunks = await collect(body().pipeThrough(new web.SSEDecoderStream()).pipeThrough(new web.ChatCompletionChunkStream()))
        equal(chunks.length, 2, 'chunk count')
        equal(chunks[1].choices[0].delta.content, ' there', 'second chunk')
      },
    },
    {
      name: 'web: the TransformStream pipeline ends with the completion accumulateChatCompletion gives',
      skip: need('SSEDecoderStream', 'ChatCompletionChunkStream', 'ChatCompletionEventStream'),
      run: async () => {
        const expected = await core.accumulateChatCompletion(BODY)
        const { events, completion } = await webPipeline(web, body())
        deepEqual(completion, expected, 'finalChatCompletion()')
        equal(
          events
            .filter((e) => e.type === 'content.delta')
            .map((e) => e.delta)
            .join(''),
          'Hi there',
          'content deltas',
        )
      },
    },
    {
      name: 'web: cancelling the end of the pipeline cancels the source exactly once',
      skip: need('SSEDecoderStream', 'ChatCompletionChunkStream', 'ChatCompletionEventStream'),
      run: async () => {
        const source = countingStream([HELLO], { hangAtEnd: true })
        const eventStream = new web.ChatCompletionEventStream()
        const reader = source.stream
          .pipeThrough(new web.SSEDecoderStream({ dispatchUnterminated: true }))
          .pipeThrough(new web.ChatCompletionChunkStream())
          .pipeThrough(eventStream)
          .getReader()
        await reader.read()
        await reader.cancel(new Error('client went away'))
        await delay(20)
        equal(source.cancels, 1, 'cancel calls')
        equal(eventStream.snapshot().choices[0]?.message.content, 'Hi', 'snapshot after cancel')
      },
    },
    {
      name: 'web: ChatCompletionDecoderStream gives the events and completion streamChatCompletion gives',
      skip: need('ChatCompletionDecoderStream'),
      run: async () => {
        const expected = []
        const reference = core.streamChatCompletion(BODY)
        for await (const event of reference) expected.push(event)
        const decoder = new web.ChatCompletionDecoderStream()
        const events = await collect(body().pipeThrough(decoder))
        deepEqual(events, expected, 'events')
        deepEqual(await decoder.finalChatCompletion(), await reference.finalChatCompletion(), 'finalChatCompletion()')
      },
    },
    {
      name: 'web: ChatCompletionDecoderStream dispatches an unterminated last event',
      skip: need('ChatCompletionDecoderStream'),
      run: async () => {
        const decoder = new web.ChatCompletionDecoderStream()
        await collect(streamOf([encoder.encode(HELLO.trimEnd())]).pipeThrough(decoder))
        equal((await decoder.finalChatCompletion()).choices[0]?.message.content, 'Hi', 'content')
      },
    },
    {
      name: 'web: cancelling a ChatCompletionDecoderStream cancels the source once and rejects the completion with aborted',
      skip: need('ChatCompletionDecoderStream'),
      run: async () => {
        const source = countingStream([HELLO, HELLO], { hangAtEnd: true })
        const decoder = new web.ChatCompletionDecoderStream()
        const reader = source.stream.pipeThrough(decoder).getReader()
        await reader.read()
        await reader.cancel(new Error('client went away'))
        await delay(20)
        equal(source.cancels, 1, 'cancel calls')
        const error = await rejection(decoder.finalChatCompletion())
        equal(error.code, 'aborted', 'code')
        equal(decoder.snapshot().choices[0]?.message.content, 'Hi', 'snapshot after cancel')
      },
    },
    {
      name: 'web: ChatCompletionDecoderStream errors with invalid_json, its event number, byte offset and partial',
      skip: need('ChatCompletionDecoderStream'),
      run: async () => {
        const decoder = new web.ChatCompletionDecoderStream()
        const error = await rejection(collect(streamOf([encoder.encode(HELLO + 'data: {oops\n\n')]).pipeThrough(decoder)))
        const reference = await rejection(core.accumulateChatCompletion(HELLO + 'data: {oops\n\n'))
        equal(error.code, 'invalid_json', 'code')
        equal(error.message, reference.message, 'message')
        equal(error.eventNumber, reference.eventNumber, 'eventNumber')
        equal(error.byteOffset, reference.byteOffset, 'byteOffset')
        equal(error.partial?.choices[0]?.message.content, 'Hi', 'partial')
      },
    },
    {
      name: 'web: fromResponse reads a new Response(...) as events and the final completion',
      skip: need('fromResponse'),
      run: async () => {
        const expected = await core.accumulateChatCompletion(BODY)
        const stream = web.fromResponse(new Response(body(), { headers: { 'content-type': 'text/event-stream' } }))
        const deltas = []
        for await (const event of stream.events) if (event.type === 'content.delta') deltas.push(event.delta)
        equal(deltas.join(''), 'Hi there', 'content deltas')
        deepEqual(await stream.finalChatCompletion(), expected, 'finalChatCompletion()')
      },
    },
    {
      name: 'web: leaving a for await over fromResponse events early cancels the body once',
      skip: need('fromResponse'),
      run: async () => {
        const source = countingStream([HELLO, HELLO], { hangAtEnd: true })
        const stream = web.fromResponse(new Response(source.stream, { headers: { 'content-type': 'text/event-stream' } }))
        for await (const event of stream.events) if (event.type === 'content.delta') break
        await delay(20)
        equal(source.cancels, 1, 'cancel calls')
        equal(stream.snapshot().choices[0]?.message.content, 'Hi', 'snapshot')
      },
    },
    {
      name: 'web: fromResponse of a non-2xx Response rejects with ProviderError http_error',
      skip: need('fromResponse'),
      run: async () => {
        const response = new Response('{"error":{"message":"nope"}}', { status: 401, headers: { 'content-type': 'application/json' } })
        const error = await rejection(web.fromResponse(response).finalChatCompletion())
        equal(error.name, 'ProviderError', 'name')
        equal(error.code, 'http_error', 'code')
        equal(error.status, 401, 'status')
      },
    },
  ]
}

/** bytes → SSEDecoderStream → ChatCompletionChunkStream → ChatCompletionEventStream: the events and the final completion. */
async function webPipeline(web, source) {
  const eventStream = new web.ChatCompletionEventStream()
  const events = await collect(
    source
      .pipeThrough(new web.SSEDecoderStream({ dispatchUnterminated: true }))
      .pipeThrough(new web.ChatCompletionChunkStream())
      .pipeThrough(eventStream),
  )
  return { events, completion: await eventStream.finalChatCompletion() }
}

function plainEvent(event) {
  return { type: event.type, data: event.data, lastEventId: event.lastEventId }
}

// ---------------------------------------------------------------------------------------------
// Helpers: streams, assertions, timing. All plain ES2022 + WHATWG APIs present in every runtime.

function streamOf(chunks) {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++])
      else controller.close()
    },
  })
}

/** A stream of `chunks` (strings are encoded) that counts cancel() calls; `hangAtEnd` never closes it. */
function countingStream(chunks, { hangAtEnd = false } = {}) {
  const state = { cancels: 0, stream: undefined }
  let i = 0
  state.stream = new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]))
      else if (!hangAtEnd) controller.close()
      else return new Promise(() => {})
    },
    cancel() {
      state.cancels++
    },
  })
  return state
}

async function collect(stream) {
  const out = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return out
    out.push(value)
  }
}

function splitBytes(bytes, size) {
  const out = []
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size))
  return out
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function withTimeout(promise, ms, name) {
  let timer
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${name}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  fail('expected a rejection, but the promise resolved')
}

function thrown(run) {
  try {
    run()
  } catch (error) {
    return error
  }
  fail('expected an exception, but none was thrown')
}

function fail(message) {
  throw new Error(message)
}

function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`)
}

/** Structural equality of JSON-like values; the message names the first differing path. */
function deepEqual(actual, expected, what, path = '$') {
  if (Object.is(actual, expected)) return
  const kind = (value) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)
  if (kind(actual) !== kind(expected) || typeof actual !== 'object') {
    fail(`${what}: at ${path} expected ${show(expected)}, got ${show(actual)}`)
  }
  if (Array.isArray(expected)) {
    if (actual.length !== expected.length) fail(`${what}: at ${path} expected ${expected.length} elements, got ${actual.length}`)
    for (let i = 0; i < expected.length; i++) deepEqual(actual[i], expected[i], what, `${path}[${i}]`)
    return
  }
  const actualKeys = Object.keys(actual).sort()
  const expectedKeys = Object.keys(expected).sort()
  if (actualKeys.join('\0') !== expectedKeys.join('\0')) {
    fail(`${what}: at ${path} expected keys ${show(expectedKeys)}, got ${show(actualKeys)}`)
  }
  for (const key of expectedKeys) deepEqual(actual[key], expected[key], what, `${path}.${key}`)
}

function show(value) {
  if (typeof value === 'string' || typeof value === 'object') {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 120 ? text.slice(0, 120) + '…' : text
  }
  return String(value)
}
