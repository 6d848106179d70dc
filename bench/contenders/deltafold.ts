/**
 * deltafold's entry points as a user calls them. The sync ones take the network chunks as they
 * come; the stream ones read a fresh `ReadableStream` over them (one await per network chunk).
 */
import {
  accumulateChatCompletion,
  createChatCompletionStreamParser,
  createPartialJSONParser,
  createSSEDecoder,
  type ChatCompletion,
  type PartialJSONParser,
} from '@deltafold/core'
import { toReadableStream, toResponse } from './readable.js'

/** `createChatCompletionStreamParser()`: `feed(bytes)` per network chunk, then `end()`. */
export function deltafoldParse(chunks: readonly Uint8Array[]): ChatCompletion {
  const parser = createChatCompletionStreamParser()
  for (const bytes of chunks) parser.feed(bytes)
  return parser.end()
}

/** `accumulateChatCompletion(response.body)`: the async pipeline over a ReadableStream. */
export function deltafoldAccumulate(chunks: readonly Uint8Array[]): Promise<ChatCompletion> {
  return accumulateChatCompletion(toReadableStream(chunks))
}

/** The parser with an `onEvent` handler that reads nothing: the cost of building the typed events. */
export function deltafoldParseEvents(chunks: readonly Uint8Array[]): { completion: ChatCompletion; events: number } {
  let events = 0
  const parser = createChatCompletionStreamParser({
    onEvent() {
      events++
    },
  })
  for (const bytes of chunks) parser.feed(bytes)
  return { completion: parser.end(), events }
}

/** What the partial-read contenders return: the completion and the partial value read after the last delta. */
export interface PartialRun {
  completion: unknown
  /** The partial value read after the last arguments delta of each tool call, by tool-call index. */
  partials: unknown[]
  /** How many times a partial value was read. */
  reads: number
}

/**
 * `parseArguments: true`: every `tool_call.arguments.delta` event carries `partial`, read each time.
 */
export function deltafoldParsePartial(chunks: readonly Uint8Array[]): PartialRun {
  const partials: unknown[] = []
  let reads = 0
  const parser = createChatCompletionStreamParser({
    parseArguments: true,
    onEvent(event) {
      if (event.type === 'tool_call.arguments.delta') {
        partials[event.toolCallIndex] = event.partial
        reads++
      }
    },
  })
  for (const bytes of chunks) parser.feed(bytes)
  return { completion: parser.end(), partials, reads }
}

/** `createPartialJSONParser()` per tool call, fed each arguments delta from `onEvent`, `value` read each time. */
export function deltafoldPartialParser(chunks: readonly Uint8Array[]): PartialRun {
  const parsers: PartialJSONParser[] = []
  const partials: unknown[] = []
  let reads = 0
  const parser = createChatCompletionStreamParser({
    onEvent(event) {
      if (event.type !== 'tool_call.arguments.delta') return
      const json = (parsers[event.toolCallIndex] ??= createPartialJSONParser({}))
      json.feed(event.delta)
      partials[event.toolCallIndex] = json.value
      reads++
    },
  })
  for (const bytes of chunks) parser.feed(bytes)
  return { completion: parser.end(), partials, reads }
}

/** SSE decoding alone: `createSSEDecoder` fed bytes or text; counts events and sums data lengths. */
export function deltafoldDecode(chunks: readonly (Uint8Array | string)[]): { events: number; dataLength: number } {
  let events = 0
  let dataLength = 0
  const decoder = createSSEDecoder({
    onEvent(event) {
      events++
      dataLength += event.data.length
    },
  })
  for (const chunk of chunks) decoder.feed(chunk)
  decoder.end()
  return { events, dataLength }
}

/** The web adapter, when `packages/web/dist` exports it; see {@link loadWebContender}. */
export type WebContender = { name: string; run(chunks: readonly Uint8Array[]): Promise<unknown> }

/**
 * Finds the `@deltafold/web` entry point to measure, or explains why there is none. The package is
 * loaded dynamically so the bench runs (and says so) while it exports nothing yet.
 */
export async function loadWebContender(): Promise<WebContender | { missing: string }> {
  let web: Record<string, unknown>
  try {
    web = (await import('@deltafold/web')) as Record<string, unknown>
  } catch (error) {
    return { missing: `@deltafold/web does not load: ${(error as Error).message}` }
  }
  const EventStream = web.ChatCompletionEventStream as (new () => TransformStream<Uint8Array, { type: string; completion?: unknown }>) | undefined
  if (typeof EventStream === 'function') {
    return {
      name: 'body.pipeThrough(new ChatCompletionEventStream())',
      async run(chunks) {
        const reader = toReadableStream(chunks).pipeThrough(new EventStream()).getReader()
        let completion: unknown
        for (;;) {
          const result = await reader.read()
          if (result.done) break
          if (result.value.type === 'done') completion = result.value.completion
        }
        return completion
      },
    }
  }
  const fromResponse = web.fromResponse as ((response: Response) => unknown) | undefined
  if (typeof fromResponse === 'function') {
    return {
      name: 'fromResponse(response).finalChatCompletion()',
      async run(chunks) {
        const stream = (await fromResponse(toResponse(chunks))) as { finalChatCompletion(): Promise<unknown> }
        return stream.finalChatCompletion()
      },
    }
  }
  return { missing: '@deltafold/web exports neither ChatCompletionEventStream nor fromResponse yet' }
}
