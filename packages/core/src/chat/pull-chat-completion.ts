import type { ChatCompletionStreamParser } from './chat-completion-stream-parser.js'
import type { ByteSource, ChunkSource } from '../source/open-byte-source.js'
import { pullStream, type StreamPull } from '../source/pull-stream.js'
import type { ChatCompletion } from './types.js'

/** What {@link pullChatCompletion} returns: the format-agnostic pull loop over a chat parser. */
export type ChatCompletionPull = StreamPull<ChatCompletion>

/**
 * The pull loop of every format (core's internal `pullStream`) over a chat-completion stream parser: `data: [DONE]` is the
 * terminal event. `accumulateChatCompletion`, `streamChatCompletion` and the web adapter's
 * `fromResponse` are wrappers over it. The first item decides what the source holds: bytes and
 * strings are fed as the body, objects (an SDK's parsed chunks) as chunks.
 *
 * @param source - a byte source, a `Response`, or an (async) iterable of parsed chunk objects
 * @param parser - the stream parser to feed (its `onEvent` receives the events)
 * @param signal - aborts the reads
 * @example
 * ```ts
 * import { createChatCompletionStreamParser, pullChatCompletion } from '@deltafold/core'
 * const parser = createChatCompletionStreamParser()
 * const loop = pullChatCompletion(['data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'], parser)
 * try {
 *   while (await loop.pull()) {}
 *   loop.end().choices[0]?.message.content // 'Hi'
 * } catch (error) {
 *   throw loop.fail(error)
 * }
 * ```
 */
export function pullChatCompletion(
  source: ByteSource | ChunkSource,
  parser: ChatCompletionStreamParser,
  signal?: AbortSignal,
): ChatCompletionPull {
  return pullStream(source, parser, () => parser.sawDone, signal)
}

// withPartial lives in source/with-partial.ts (every format's loop uses it); gateway/ imports it from here.
export { withPartial } from '../source/with-partial.js'
