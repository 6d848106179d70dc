// One error path: the same failing input — a provider error, malformed or cut JSON, a body whose read
// fails mid-stream, a body that is not an event stream — through every entry point (core's
// accumulateChatCompletion and streamChatCompletion, web's fromResponse, ChatCompletionDecoderStream
// and three-class pipeline, node's transform chain and accumulateFromReadable) gives the same error:
// name, code, message, event number, byte offset and partial. The reference is core's
// accumulateChatCompletion; entry-points.test.ts holds the bodies that fail inside an event.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, DeltafoldError, streamChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { accumulateFromReadable, createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import {
  ChatCompletionChunkStream,
  ChatCompletionDecoderStream,
  ChatCompletionEventStream,
  SSEDecoderStream,
  fromResponse,
} from '@deltafold/web'

const encoder = new TextEncoder()

/** A failing input: byte pieces, then (optionally) a read that rejects with `failure`. */
interface Input {
  chunks: Uint8Array[]
  failure?: Error
}

function pieces(body: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(body)
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size))
  return out
}

/** The input as a fresh web stream: each pull hands one piece, then fails (or closes). */
function byteStream({ chunks, failure }: Input): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!)
      else if (failure) controller.error(failure)
      else controller.close()
    },
  })
}

/** The input as a fresh async iterable (what core and Readable.from read). */
async function* byteIterable({ chunks, failure }: Input): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk
  if (failure) throw failure
}

async function drain<T>(readable: ReadableStream<T>): Promise<void> {
  const reader = readable.getReader()
  while (!(await reader.read()).done) {
    // Every event read, as a consumer does.
  }
}

type EntryPoint = [name: string, run: (input: Input) => Promise<ChatCompletion>]

const ENTRY_POINTS: EntryPoint[] = [
  [
    'core streamChatCompletion',
    async (input) => {
      const stream = streamChatCompletion(byteIterable(input))
      for await (const _ of stream) {
        // Read.
      }
      return stream.finalChatCompletion()
    },
  ],
  [
    'web fromResponse',
    async (input) => {
      const stream = fromResponse(new Response(byteStream(input), { headers: { 'content-type': 'text/event-stream' } }))
      await drain(stream.events)
      return stream.finalChatCompletion()
    },
  ],
  [
    'web ChatCompletionDecoderStream',
    async (input) => {
      const decoder = new ChatCompletionDecoderStream()
      await drain(byteStream(input).pipeThrough(decoder))
      return decoder.finalChatCompletion()
    },
  ],
  [
    'web SSEDecoderStream → ChatCompletionChunkStream → ChatCompletionEventStream',
    async (input) => {
      const events = new ChatCompletionEventStream()
      const piped = byteStream(input)
        .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
        .pipeThrough(new ChatCompletionChunkStream())
        .pipeThrough(events)
      await drain(piped).catch(() => {})
      return events.finalChatCompletion()
    },
  ],
  [
    'node createSSEDecoderTransform → createChunkTransform → createEventTransform',
    async (input) => {
      const events = createEventTransform()
      await pipeline(
        Readable.from(byteIterable(input)),
        createSSEDecoderTransform({ dispatchUnterminated: true }),
        createChunkTransform(),
        events,
        async (source: AsyncIterable<CompletionEvent>) => {
          for await (const _ of source) {
            // Read.
          }
        },
      ).catch(() => {})
      return events.finalChatCompletion()
    },
  ],
  ['node accumulateFromReadable', (input) => accumulateFromReadable(Readable.from(byteIterable(input)))],
]

const chunk = (delta: object, finish: string | null = null) =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })

/** The error's identity: what a user or a log sees. */
function identity(error: unknown) {
  const e = error as {
    name?: string
    code?: string
    message?: string
    eventNumber?: number
    byteOffset?: number
    partial?: unknown
    cause?: unknown
  }
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    eventNumber: e.eventNumber,
    byteOffset: e.byteOffset,
    partial: e.partial,
    cause: e.cause,
  }
}

const reset = new Error('socket hang up')

/**
 * The multi-stage pipelines (SSE stage → chunk stage → event stage) see neither the body's read
 * failure (the pipe hands the event stage the upstream's own error) nor its head (the SSE stage drops
 * lines that are not fields, so a body that is not an event stream is an empty one downstream). Their
 * current behaviour is pinned below, so that closing the gap fails these tests on purpose.
 */
const MULTI_STAGE = new Set(ENTRY_POINTS.map(([name]) => name).filter((name) => name.includes('→')))
const SINGLE_PIPE = ENTRY_POINTS.filter(([name]) => !MULTI_STAGE.has(name))
const MULTI_PIPE = ENTRY_POINTS.filter(([name]) => MULTI_STAGE.has(name))

const FAILING: [name: string, body: string, failure: Error | undefined][] = [
  [
    'an error-only provider payload in event 2',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: {"error":{"message":"quota exceeded","code":429}}\n\n`,
    undefined,
  ],
  [
    'an error-only provider payload whose error is a string',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: {"error":"quota exceeded"}\n\n`,
    undefined,
  ],
  ['a body cut inside the JSON of event 2', `data: ${chunk({ content: 'Hi' })}\n\ndata: {"choices":[{"index":0,"del`, undefined],
]

const READ_FAILURES: [name: string, body: string][] = [
  ['a read failing after event 1', `data: ${chunk({ content: 'Hi' })}\n\n`],
  ['a read failing inside event 2', `data: ${chunk({ content: 'Hi' })}\n\ndata: {"choi`],
  ['a read failing before any byte', ''],
]

describe.each(FAILING)('%s', (_name, body, failure) => {
  test.each([1, 7, 4096])(
    "every entry point fails with core's error: code, message, event number, byte offset, partial (%i-byte pieces)",
    async (size) => {
      const input = (): Input => ({ chunks: pieces(body, size), ...(failure ? { failure } : {}) })
      const expected = identity(
        await accumulateChatCompletion(byteIterable(input())).then(
          () => undefined,
          (e: unknown) => e,
        ),
      )
      expect(expected.code).toBeDefined()
      expect(expected.partial).toBeDefined()
      for (const [name, run] of ENTRY_POINTS) {
        const error = await run(input()).then(
          () => new Error(`${name} resolved`),
          (e: unknown) => e,
        )
        expect(identity(error), name).toEqual(expected)
      }
    },
  )
})

describe.each(READ_FAILURES)('%s', (_name, body) => {
  test.each([1, 7, 4096])(
    'every single-pipe entry point fails stream_failed with the cause, where the input was complete, and partial (%i-byte pieces)',
    async (size) => {
      const input = (): Input => ({ chunks: pieces(body, size), failure: reset })
      const expected = identity(
        await accumulateChatCompletion(byteIterable(input())).then(
          () => undefined,
          (e: unknown) => e,
        ),
      )
      expect(expected).toMatchObject({ code: 'stream_failed', cause: reset })
      expect(expected.message).toMatch(/^Reading the stream failed: socket hang up \(after event \d, byte \d+\)$/)
      for (const [name, run] of SINGLE_PIPE) {
        const error = await run(input()).then(
          () => new Error(`${name} resolved`),
          (e: unknown) => e,
        )
        expect(identity(error), name).toEqual(expected)
      }
    },
  )

  test('known gap: the multi-stage pipelines reject with the upstream error itself, carrying partial', async () => {
    for (const [name, run] of MULTI_PIPE) {
      const error = await run({ chunks: pieces(body, 4096), failure: reset }).then(
        () => new Error(`${name} resolved`),
        (e: unknown) => e,
      )
      expect(error, name).toBe(reset)
      expect((error as { partial?: unknown }).partial, name).toBeDefined()
    }
  })
})

const NOT_A_STREAM: [name: string, body: string][] = [
  ['an HTML error page', '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'],
  ['a JSON error body', '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}'],
  ['an empty body', ''],
  ['plain text', 'upstream connect error or disconnect/reset before headers'],
]

describe.each(NOT_A_STREAM)('not an event stream: %s', (_name, body) => {
  test("every single-pipe entry point fails with core's error: code, message, event number, byte offset, partial", async () => {
    const input = (): Input => ({ chunks: pieces(body, 4096) })
    const expected = identity(
      await accumulateChatCompletion(byteIterable(input())).then(
        () => undefined,
        (e: unknown) => e,
      ),
    )
    expect(expected.code).toMatch(/^(not_event_stream|empty_stream|upstream_error)$/)
    for (const [name, run] of SINGLE_PIPE) {
      const error = await run(input()).then(
        () => new Error(`${name} resolved`),
        (e: unknown) => e,
      )
      expect(identity(error), name).toEqual(expected)
    }
  })

  test('the multi-stage pipelines reject too: their event stage ends without a chunk, empty_stream with an empty partial', async () => {
    // Their byte stage is the plain WHATWG SSE decoder, for which such a body is a valid stream of no
    // events: the head is not quoted (core's not_event_stream), but nothing passes for an answer.
    for (const [name, run] of MULTI_PIPE) {
      const error = await run({ chunks: pieces(body, 4096) }).then(
        () => new Error(`${name} resolved`),
        (e: unknown) => e,
      )
      expect(error, name).toBeInstanceOf(DeltafoldError)
      expect(error, name).toMatchObject({ code: 'empty_stream', partial: { choices: [] } })
    }
  })
})
