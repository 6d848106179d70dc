// One table, every entry point: the same bytes through core (accumulateChatCompletion,
// streamChatCompletion), the web adapter (fromResponse, ChatCompletionDecoderStream, the three-class
// pipeline as the README documents it) and the node adapter (the three-transform chain as documented,
// accumulateFromReadable) must give the same completion, or the same error: code, name, message,
// event number, byte offset and partial.
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, streamChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { accumulateFromReadable, createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import {
  ChatCompletionChunkStream,
  ChatCompletionDecoderStream,
  ChatCompletionEventStream,
  SSEDecoderStream,
  fromResponse,
} from '@deltafold/web'

const encoder = new TextEncoder()

interface Options {
  maxEventBytes?: number
}

/** Byte pieces of `body`, cut every `size` bytes (inside UTF-8 sequences and CRLFs too). */
function pieces(body: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(body)
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size))
  return out
}

function byteStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!)
      else controller.close()
    },
  })
}

async function drain<T>(readable: ReadableStream<T>): Promise<void> {
  const reader = readable.getReader()
  while (!(await reader.read()).done) {
    // Every event read, as a consumer does.
  }
}

type EntryPoint = [name: string, run: (chunks: Uint8Array[], options: Options) => Promise<ChatCompletion>]

const ENTRY_POINTS: EntryPoint[] = [
  ['core accumulateChatCompletion', (chunks, options) => accumulateChatCompletion(chunks, options)],
  [
    'core streamChatCompletion',
    async (chunks, options) => {
      const stream = streamChatCompletion(chunks, options)
      for await (const _ of stream) {
        // Read.
      }
      return stream.finalChatCompletion()
    },
  ],
  [
    'web fromResponse',
    async (chunks, options) => {
      const stream = fromResponse(new Response(byteStream(chunks), { headers: { 'content-type': 'text/event-stream' } }), options)
      await drain(stream.events)
      return stream.finalChatCompletion()
    },
  ],
  [
    'web ChatCompletionDecoderStream',
    async (chunks, options) => {
      const decoder = new ChatCompletionDecoderStream(options)
      await drain(byteStream(chunks).pipeThrough(decoder))
      return decoder.finalChatCompletion()
    },
  ],
  [
    'web SSEDecoderStream → ChatCompletionChunkStream → ChatCompletionEventStream',
    async (chunks, options) => {
      const events = new ChatCompletionEventStream()
      await drain(
        byteStream(chunks)
          .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true, ...options }))
          .pipeThrough(new ChatCompletionChunkStream())
          .pipeThrough(events),
      )
      return events.finalChatCompletion()
    },
  ],
  [
    'node createSSEDecoderTransform → createChunkTransform → createEventTransform',
    async (chunks, options) => {
      const events = createEventTransform()
      await pipeline(
        Readable.from(chunks),
        createSSEDecoderTransform({ dispatchUnterminated: true, ...options }),
        createChunkTransform(),
        events,
        async (source: AsyncIterable<CompletionEvent>) => {
          for await (const _ of source) {
            // Read.
          }
        },
      )
      return events.finalChatCompletion()
    },
  ],
  ['node accumulateFromReadable', (chunks, options) => accumulateFromReadable(Readable.from(chunks), options)],
]

const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  })
const USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }

const BODIES: [name: string, body: string][] = [
  [
    'a stream ending with [DONE]',
    `data: ${chunk({ role: 'assistant', content: 'Hel' })}\n\ndata: ${chunk({ content: 'lo' }, 'stop')}\n\ndata: [DONE]\n\n`,
  ],
  [
    'a last event without a trailing blank line',
    `data: ${chunk({ role: 'assistant', content: 'Hel' })}\n\ndata: ${chunk({ content: 'lo' }, 'stop', { usage: USAGE })}`,
  ],
  [
    'a last event ended by one CRLF only',
    `data: ${chunk({ content: 'Hel' })}\r\n\r\ndata: ${chunk({ content: 'lo' }, 'stop', { usage: USAGE })}\r\n`,
  ],
  ['bytes after [DONE]', `data: ${chunk({ content: 'é€😀' }, 'stop')}\n\ndata: [DONE]\n\ndata: ${chunk({ content: 'ignored' })}\n\n`],
  [
    'a tool call in fragments',
    `data: ${chunk({ tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] })}\n\ndata: ${chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }, 'tool_calls')}`,
  ],
  [
    'openai-node gpt-4o content with logprobs, recorded',
    readFileSync(new URL('../fixtures/recorded/openai-node/gpt-4o-content-logprobs.sse', import.meta.url), 'utf8'),
  ],
  [
    'simonw-llm openrouter kimi-k2 text after a tool call, recorded',
    readFileSync(new URL('../fixtures/recorded/simonw-llm/openrouter-kimi-k2-text-after-tool.sse', import.meta.url), 'utf8'),
  ],
]

describe.each(BODIES)('%s', (_name, body) => {
  test.each([1, 7, 4096])("every entry point gives core's completion (%i-byte pieces)", async (size) => {
    const expected = await accumulateChatCompletion(body)
    for (const [name, run] of ENTRY_POINTS) {
      expect(await run(pieces(body, size), {}), name).toEqual(expected)
    }
  })
})

const ERRORS: [name: string, body: string, options: Options][] = [
  [
    'a provider error payload in event 2',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: {"error":{"message":"quota exceeded","code":429}}\n\ndata: ${chunk({ content: 'never' })}\n\n`,
    {},
  ],
  ['a provider error event', `data: ${chunk({ content: 'Hi' })}\n\nevent: error\ndata: {"message":"overloaded"}\n\n`, {}],
  [
    'an error beside choices (OpenRouter)',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: ${chunk({ content: '!' }, 'error', { error: { message: 'provider died' } })}\n\n`,
    {},
  ],
  ['malformed JSON in event 2', `data: ${chunk({ content: 'Hi' })}\n\ndata: {"choices":[\n\n`, {}],
  ['a payload that is not an object', `data: ${chunk({ content: 'Hi' })}\n\ndata: [1,2]\n\n`, {}],
  [
    'a choice index out of range in event 2',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: {"choices":[{"index":-1,"delta":{"content":"x"}}]}\n\n`,
    {},
  ],
  [
    'content of the wrong type in event 3',
    `data: ${chunk({ content: 'Hi' })}\n\ndata: ${chunk({ content: '!' })}\n\ndata: ${chunk({ content: 5 })}\n\n`,
    {},
  ],
  ['an event over maxEventBytes', `data: ${chunk({ content: 'Hi' })}\n\ndata: ${'x'.repeat(500)}\n\n`, { maxEventBytes: 300 }],
]

/** The error's identity: what a user or a log sees. */
function identity(error: unknown) {
  const e = error as { name?: string; code?: string; message?: string; eventNumber?: number; byteOffset?: number; partial?: unknown }
  return { name: e.name, code: e.code, message: e.message, eventNumber: e.eventNumber, byteOffset: e.byteOffset, partial: e.partial }
}

describe.each(ERRORS)('%s', (_name, body, options) => {
  test.each([1, 5, 4096])(
    "every entry point fails with core's error: code, message, event number, byte offset, partial (%i-byte pieces)",
    async (size) => {
      const expected = identity(
        await accumulateChatCompletion(pieces(body, size), options).then(
          () => undefined,
          (e: unknown) => e,
        ),
      )
      expect(expected.code).toBeDefined()
      for (const [name, run] of ENTRY_POINTS) {
        const error = await run(pieces(body, size), options).then(
          () => new Error(`${name} resolved`),
          (e: unknown) => e,
        )
        expect(identity(error), name).toEqual(expected)
      }
    },
  )
})
