import type { ServerSentEvent } from '../sse/sse-decoder.js'
import type { ChatCompletionChunk } from './types.js'

/** Where a translated event came from, for error messages. */
export interface TranslatorPosition {
  /** 1-based number of the SSE event. */
  eventNumber: number
  /** Byte offset of the end of the event in the input, when the bytes were seen. */
  byteOffset?: number
}

/**
 * Turns the events of another streaming wire format (OpenAI Responses, Anthropic Messages) into
 * `chat.completion.chunk` objects as they arrive, so that the chat fold, the normalize stream and every
 * adapter serve those formats with no logic of their own. One translator per stream; stateful.
 *
 * - `push` takes one decoded SSE event and returns the chunks it maps to, in order (often none: a
 *   `ping`, a `content_block_stop`). It throws a typed `DeltafoldError` for bad input and a
 *   `ProviderError` for the format's error events.
 * - `end` is called once at the end of input and returns any last chunks (a final `finish_reason`,
 *   usage); it throws when the format says the stream was cut (e.g. Responses without a terminal event).
 */
export interface ChatChunkTranslator {
  push(event: ServerSentEvent, position: TranslatorPosition): readonly ChatCompletionChunk[]
  end(): readonly ChatCompletionChunk[]
}
