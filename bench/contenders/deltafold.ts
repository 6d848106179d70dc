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

/**
 * `createChatCompletionStreamParser({ fastPath: false })`: every payload through `JSON.parse` and
 * the generic accumulator, to show what the chunk fast path (on by default) gains.
 */
export function deltafoldParseNoFastPath(chunks: readonly Uint8Array[]): ChatCompletion {
  const parser = createChatCompletionStreamParser({ fastPath: false })
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
 * `chunkEvents: false` leaves out the raw `chunk` events, which such a listener does not read.
 */
export function deltafoldParsePartial(chunks: readonly Uint8Array[], chunkEvents = true): PartialRun {
  const partials: unknown[] = []
  let reads = 0
  const parser = createChatCompletionStreamParser({
    parseArguments: true,
    chunkEvents,
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
export function deltafoldPartialParser(
  chunks: readonly Uint8Array[],
  create: () => PartialJSONParser = createPartialJSONParser,
): PartialRun {
  const parsers: PartialJSONParser[] = []
  const partials: unknown[] = []
  let reads = 0
  const parser = createChatCompletionStreamParser({
    onEvent(event) {
      if (event.type !== 'tool_call.arguments.delta') return
      const json = (parsers[event.toolCallIndex] ??= create())
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

/** A web adapter entry point, when `packages/web/dist` exports it; see {@link loadWebContenders}. */
export type WebContender = { name: string; run(chunks: readonly Uint8Array[]): Promise<unknown> }

type Transform = new (options?: object) => TransformStream<unknown, unknown>

/**
 * Finds the `@deltafold/web` entry points to measure, or explains why there are none. The package is
 * loaded dynamically (and its exports feature-tested) so the bench runs, and says so, while the
 * adapter is missing or changing.
 */
export async function loadWebContenders(): Promise<WebContender[] | { missing: string }> {
  let web: Record<string, unknown>
  try {
    web = (await import('@deltafold/web')) as Record<string, unknown>
  } catch (error) {
    return { missing: `@deltafold/web does not load: ${(error as Error).message}` }
  }
  const found: WebContender[] = []
  const fromResponse = web.fromResponse as ((response: Response) => { finalChatCompletion(): Promise<unknown> }) | undefined
  if (typeof fromResponse === 'function') {
    found.push({
      name: 'fromResponse(response).finalChatCompletion()',
      run: (chunks) => fromResponse(toResponse(chunks)).finalChatCompletion(),
    })
  }
  const Decoder = web.SSEDecoderStream as Transform | undefined
  const Chunks = web.ChatCompletionChunkStream as Transform | undefined
  const Events = web.ChatCompletionEventStream as
    | (new () => TransformStream<unknown, unknown> & { finalChatCompletion(): Promise<unknown> })
    | undefined
  if (typeof Decoder === 'function' && typeof Chunks === 'function' && typeof Events === 'function') {
    found.push({
      name: 'body.pipeThrough(SSEDecoderStream → ChatCompletionChunkStream → ChatCompletionEventStream)',
      run(chunks) {
        const events = new Events()
        void toReadableStream(chunks)
          .pipeThrough(new Decoder({ dispatchUnterminated: true }))
          .pipeThrough(new Chunks())
          .pipeThrough(events)
        return events.finalChatCompletion()
      },
    })
  }
  return found.length > 0 ? found : { missing: '@deltafold/web exports neither fromResponse nor the three TransformStreams yet' }
}
