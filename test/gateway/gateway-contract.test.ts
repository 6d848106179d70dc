import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import OpenAI from 'openai'
import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  isDeltafoldError,
  type ChatCompletion,
  type ChatCompletionNormalizerOptions,
  type ChatCompletionTapOptions,
  type DeltafoldError,
} from '@deltafold/core'
import { createNormalizeTransform, createTapTransform } from '@deltafold/node'
import { ChatCompletionNormalizeStream, ChatCompletionTapStream } from '@deltafold/web'
import { canonical, payloads } from './helpers.js'

const encoder = new TextEncoder()
const sse = (...payloads: Array<object | string>) =>
  payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('')
const chunk = (choices: unknown[], extra: object = {}) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 7,
  model: 'm',
  choices,
  ...extra,
})
const text = (content: string, finish: string | null = null) => chunk([{ index: 0, delta: { content }, finish_reason: finish }])

interface Run {
  /** What the reader received, joined. */
  bytes: Buffer
  /** Number of chunks the reader received. */
  chunks: number
  /** The error the byte stream failed with, if it did. */
  streamError?: unknown
  /** How the fold settled. */
  fold: { completion?: ChatCompletion; error?: unknown }
}

async function settle<T>(promise: Promise<T>): Promise<{ completion?: T; error?: unknown }> {
  try {
    return { completion: await promise }
  } catch (error) {
    return { error }
  }
}

/** The two adapters of the tap, driven the same way: pieces in, what the reader saw and the fold out. */
const taps: Array<[string, (pieces: string[], options?: ChatCompletionTapOptions) => Promise<Run>]> = [
  [
    'web',
    async (pieces, options) => {
      const source = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(encoder.encode(piece))
          controller.close()
        },
      })
      const tap = new ChatCompletionTapStream(options)
      const out: Uint8Array[] = []
      let streamError: unknown
      try {
        for await (const c of source.pipeThrough(tap) as unknown as AsyncIterable<Uint8Array>) out.push(c)
      } catch (error) {
        streamError = error
      }
      return { bytes: Buffer.concat(out), chunks: out.length, streamError, fold: await settle(tap.finalChatCompletion()) }
    },
  ],
  [
    'node',
    async (pieces, options) => {
      const tap = createTapTransform(options)
      const out: Buffer[] = []
      let streamError: unknown
      try {
        await pipeline(
          Readable.from(pieces.map((p) => Buffer.from(p))),
          tap,
          new Writable({ write: (c, _e, done) => (out.push(c), done()) }),
        )
      } catch (error) {
        streamError = error
      }
      return { bytes: Buffer.concat(out), chunks: out.length, streamError, fold: await settle(tap.finalChatCompletion()) }
    },
  ],
]

const normalizers: Array<
  [string, (pieces: string[], options?: ChatCompletionNormalizerOptions) => Promise<{ text: string; streamError?: unknown }>]
> = [
  [
    'web',
    async (pieces, options) => {
      const source = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(encoder.encode(piece))
          controller.close()
        },
      })
      const out: Uint8Array[] = []
      try {
        for await (const c of source.pipeThrough(new ChatCompletionNormalizeStream(options)) as unknown as AsyncIterable<Uint8Array>)
          out.push(c)
      } catch (error) {
        return { text: Buffer.concat(out).toString(), streamError: error }
      }
      return { text: Buffer.concat(out).toString() }
    },
  ],
  [
    'node',
    async (pieces, options) => {
      const out: Buffer[] = []
      try {
        await pipeline(
          Readable.from(pieces.map((p) => Buffer.from(p))),
          createNormalizeTransform(options),
          new Writable({ write: (c, _e, done) => (out.push(c), done()) }),
        )
      } catch (error) {
        return { text: Buffer.concat(out).toString(), streamError: error }
      }
      return { text: Buffer.concat(out).toString() }
    },
  ],
]

/** Hostile inputs, each after a good first chunk, with the error code the fold gives them. */
const hostile: Array<[string, string, string, ChatCompletionTapOptions]> = [
  ['invalid JSON', 'data: {"choices":[{oops\n\n', 'invalid_json', {}],
  ['a payload that is not an object', 'data: [1,2,3]\n\n', 'invalid_chunk', {}],
  ['an event past maxEventBytes', `data: ${'A'.repeat(5000)}\n\n`, 'event_too_large', { maxEventBytes: 1024 }],
  ['a choice index of 1e9', sse(chunk([{ index: 1e9, delta: { content: 'x' } }])), 'invalid_index', {}],
  ['a tool-call index of -1', sse(chunk([{ index: 0, delta: { tool_calls: [{ index: -1, id: 'a' }] } }])), 'invalid_index', {}],
  ['content of the wrong type', sse(chunk([{ index: 0, delta: { content: 5 } }])), 'invalid_type', {}],
  ['nesting past maxDepth', sse(chunk([{ index: 0, delta: { deep: JSON.parse('['.repeat(80) + ']'.repeat(80)) } }])), 'max_depth', {}],
  ['text past maxBytes', sse(text('y'.repeat(2000))), 'limit_exceeded', { limits: { maxBytes: 1000 } }],
]

describe.each(taps)('tap (%s)', (_runtime, run) => {
  test.each(hostile)(
    'fail-open on %s: every byte reaches the reader, the fold rejects with the typed error and partial',
    async (_what, bad, code, options) => {
      const pieces = [sse(text('Hel')), bad, sse(text('lo', 'stop')), 'data: [DONE]\n\n']
      const result = await run(pieces, options)
      expect(result.streamError).toBeUndefined()
      expect(result.bytes.toString()).toBe(pieces.join(''))
      expect(isDeltafoldError(result.fold.error)).toBe(true)
      expect((result.fold.error as DeltafoldError).code).toBe(code)
      expect(((result.fold.error as DeltafoldError).partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
    },
  )

  test.each(hostile)('failClosed on %s: the byte stream errors with the typed error', async (_what, bad, code, options) => {
    const result = await run([sse(text('Hel')), bad, sse(text('lo', 'stop'))], { ...options, failClosed: true })
    expect(isDeltafoldError(result.streamError)).toBe(true)
    expect((result.streamError as DeltafoldError).code).toBe(code)
    expect(result.bytes.toString()).not.toContain('"lo"')
    expect((result.fold.error as DeltafoldError).code).toBe(code)
  })

  test.each([false, true])('a provider error reaches only the fold, failClosed %s', async (failClosed) => {
    const pieces = [
      sse(text('Hel')),
      sse(chunk([{ index: 0, delta: { content: 'l' } }], { error: { message: 'upstream died', code: 502 } })),
    ]
    const result = await run(pieces, { failClosed })
    expect(result.streamError).toBeUndefined()
    expect(result.bytes.toString()).toBe(pieces.join(''))
    expect((result.fold.error as DeltafoldError).code).toBe('upstream_error')
    expect(((result.fold.error as DeltafoldError).partial as ChatCompletion).choices[0]?.message.content).toBe('Hell')
  })

  test('an event: error reaches only the fold', async () => {
    const pieces = [sse(text('Hel')), 'event: error\ndata: {"error":{"message":"quota"}}\n\n']
    const result = await run(pieces, { failClosed: true })
    expect(result.streamError).toBeUndefined()
    expect(result.bytes.toString()).toBe(pieces.join(''))
    expect((result.fold.error as DeltafoldError).code).toBe('upstream_error')
  })

  test('bytes after [DONE] are passed on and not folded', async () => {
    const pieces = [sse(text('Hi', 'stop')), 'data: [DONE]\n\n', 'data: {oops}\n\n']
    const result = await run(pieces)
    expect(result.bytes.toString()).toBe(pieces.join(''))
    expect(result.fold.completion?.choices[0]?.message.content).toBe('Hi')
  })
})

test('web tap: a cancel from the client reaches the upstream and the fold rejects aborted with partial', async () => {
  const cancels: unknown[] = []
  const upstream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(sse(text('Hel'))))
    },
    cancel(reason) {
      cancels.push(reason)
    },
  })
  const tap = new ChatCompletionTapStream()
  const reader = upstream.pipeThrough(tap).getReader()
  await reader.read()
  await reader.cancel('client left')
  const error = (await settle(tap.finalChatCompletion())).error as DeltafoldError
  expect(error.code).toBe('aborted')
  expect(error.cause).toBe('client left')
  expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
  await new Promise((resolve) => setTimeout(resolve, 10))
  expect(cancels).toEqual(['client left'])
})

test('node tap: the client going away destroys the upstream and the fold rejects aborted with partial', async () => {
  let destroyed = false
  const upstream = new Readable({
    read() {},
    destroy(error, callback) {
      destroyed = true
      callback(error)
    },
  })
  upstream.push(Buffer.from(sse(text('Hel'))))
  const tap = createTapTransform()
  const client = new Writable({
    write(_c, _e, done) {
      done()
      client.destroy(new Error('socket closed'))
    },
  })
  await expect(pipeline(upstream, tap, client)).rejects.toThrow('socket closed')
  const error = (await settle(tap.finalChatCompletion())).error as DeltafoldError
  expect(error.code).toBe('aborted')
  expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
  expect(destroyed).toBe(true)
})

test('web tap: the fold settles at [DONE] while the upstream is still open', async () => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const upstream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const tap = new ChatCompletionTapStream()
  void upstream.pipeThrough(tap).pipeTo(new WritableStream())
  controller.enqueue(encoder.encode(sse(text('Hi', 'stop')) + 'data: [DONE]\n\n'))
  expect((await tap.finalChatCompletion()).choices[0]?.message.content).toBe('Hi')
  controller.close()
})

describe.each(normalizers)('normalize (%s)', (_runtime, run) => {
  test.each(hostile)('fail-open on %s: the data before it, then an invalid_stream error event', async (_what, bad, code, options) => {
    const { text: out, streamError } = await run([sse(text('Hel')), bad, sse(text('lo', 'stop'))], options)
    expect(streamError).toBeUndefined()
    const events = payloads(out).map((p) => JSON.parse(p))
    expect(events[0].choices[0].delta.content).toBe('Hel')
    expect(events.at(-1)).toEqual({ error: expect.objectContaining({ type: 'invalid_stream', code }) })
    expect(out).not.toContain('"lo"')
    expect(out).not.toContain('[DONE]')
  })

  test.each(hostile)('failClosed on %s: the byte stream errors with the typed error', async (_what, bad, code, options) => {
    const { streamError } = await run([sse(text('Hel')), bad, sse(text('lo', 'stop'))], { ...options, failClosed: true })
    expect((streamError as DeltafoldError).code).toBe(code)
  })

  test('an OpenRouter error chunk: its data, the usage so far, then the error event, and nothing after', async () => {
    const { text: out } = await run([
      sse(chunk([{ index: 0, delta: { content: 'Hel' } }], { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })),
      sse(chunk([{ index: 0, delta: { content: 'l' } }], { error: { message: 'upstream died', code: 502 } })),
      sse(text('o', 'stop')),
    ])
    expect(payloads(out).map((p) => JSON.parse(p))).toEqual([
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 7,
        model: 'm',
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
      },
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 7,
        model: 'm',
        choices: [{ index: 0, delta: { content: 'l' }, finish_reason: null }],
      },
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 7,
        model: 'm',
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      },
      { error: { message: 'upstream died', code: 502 } },
    ])
  })
})

test('web normalize: the upstream is cancelled once the output ended at [DONE]', async () => {
  let cancelled = false
  const upstream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(sse(text('Hi', 'stop')) + 'data: [DONE]\n\n'))
    },
    cancel() {
      cancelled = true
    },
  })
  const out = await new Response(upstream.pipeThrough(new ChatCompletionNormalizeStream())).text()
  expect(payloads(out).at(-1)).toBe('[DONE]')
  expect(cancelled).toBe(true)
})

/** openai's ChatCompletionStream over a body served by a fake fetch. */
async function openaiFinal(body: string): Promise<unknown> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  })
  return client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion()
}

const quirky: Array<[string, string, string]> = [
  [
    'no finish_reason (Snowflake Cortex)',
    sse(chunk([{ index: 0, delta: { role: 'assistant', content: 'Hel' } }]), chunk([{ index: 0, delta: { content: 'lo' } }])),
    'missing finish_reason for choice 0',
  ],
  [
    'no role and a tool call with neither index nor type',
    sse(
      chunk([{ index: 0, delta: { tool_calls: [{ id: 'call_1', function: { name: 'get', arguments: '{"a"' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ function: { arguments: ':1}' } }] } }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
    ),
    '',
  ],
  [
    'tool calls numbered from 1 with the header repeated (Anthropic compat, Kimi)',
    sse(
      chunk([
        {
          index: 0,
          delta: {
            role: 'assistant',
            tool_calls: [{ index: 1, id: 'call_1', type: 'function', function: { name: 'get', arguments: '' } }],
          },
        },
      ]),
      chunk([
        { index: 0, delta: { tool_calls: [{ index: 1, id: 'call_1', type: 'function', function: { name: 'get', arguments: '{}' } }] } },
      ]),
    ),
    '',
  ],
]

test.each(quirky)("openai's ChatCompletionStream fails on %s and folds the normalized stream like core", async (_what, body, message) => {
  const raw = await settle(openaiFinal(body))
  expect(raw.error).toBeInstanceOf(Error)
  if (message !== '') expect((raw.error as Error).message).toContain(message)
  const expected = canonical(await accumulateChatCompletion([body]))
  const normalized = (await run0(body)) as string
  const theirs = (await openaiFinal(normalized)) as ChatCompletion
  expect(theirs.choices[0]?.message.content ?? null).toBe(expected.choices[0]?.message.content || null)
  expect(theirs.choices[0]?.finish_reason).toBe(expected.choices[0]?.finish_reason)
  expect(theirs.choices[0]?.message.tool_calls).toEqual(expected.choices[0]?.message.tool_calls)
})

async function run0(body: string): Promise<string> {
  return (await normalizers[0]![1]([body])).text
}
