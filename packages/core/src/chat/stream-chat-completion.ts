import { createChatCompletionStreamParser, type ChatCompletionStreamOptions, type InputKind } from './chat-completion-stream-parser.js'
import type { CompletionEvent } from './completion-event.js'
import type { ByteSource, ChunkSource } from '../source/open-byte-source.js'
import { pullChatCompletion } from './pull-chat-completion.js'
import { pullEvents, pullToEnd, queueEvents } from '../source/internal/pull-events.js'
import type { ChatCompletion } from './types.js'

/** What {@link streamChatCompletion} returns: the events, and the final completion. */
export interface StreamedChatCompletion extends AsyncIterable<CompletionEvent> {
  /** Resolves with the final completion; rejects with the pipeline's error (which carries `partial`). */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far (a copy). Never throws. */
  snapshot(): ChatCompletion
  /** What the source turned out to be (see `ChatCompletionStreamParser.inputKind`): `json` for a non-streamed completion. */
  inputKind(): InputKind
}

/**
 * Reads a whole chat-completion stream and resolves with the final `chat.completion`.
 *
 * A stream that closes without `data: [DONE]` is complete; bytes after `[DONE]` are ignored and the
 * source is cancelled. Input that is not an event stream is an error (`not_event_stream`,
 * `empty_stream`, a `ProviderError` for a JSON error body); a non-streamed `chat.completion` body is
 * accepted. Errors are `DeltafoldError`s carrying `partial` (everything received before) and the
 * event number and byte offset. The abort contract: an abort rejects with `signal.reason` itself
 * when it is an object (with `partial` attached), wrapped in an `aborted` error when it is a
 * primitive; an `AbortError` from `fetch`'s own signal is `aborted` with it as `cause`.
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of `Uint8Array`/string chunks,
 *   a string, or an (async) iterable of chunk objects an SDK parsed (openai's `Stream`)
 * @param options - accumulator options, `maxEventBytes`, `signal`
 * @example
 * ```ts
 * import { accumulateChatCompletion } from '@deltafold/core'
 * const completion = await accumulateChatCompletion([
 *   'data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}\n\n',
 *   'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
 * ])
 * completion.choices[0]?.message.content // 'Hello'
 * ```
 */
export async function accumulateChatCompletion(
  source: ByteSource | ChunkSource,
  options: ChatCompletionStreamOptions = {},
): Promise<ChatCompletion> {
  return pullToEnd(pullChatCompletion(source, createChatCompletionStreamParser(options), options.signal))
}

/**
 * Streams the typed {@link CompletionEvent}s of a chat-completion stream as an async iterable, with
 * `finalChatCompletion()` for the result. The source is read only as fast as events are consumed;
 * breaking out of `for await` cancels it exactly once (and `finalChatCompletion()` then rejects with
 * an `aborted` error carrying `partial`). On an error, the events decoded before it are handed out
 * first, so what a consumer sees does not depend on how the bytes were chunked; then the loop throws
 * the error, which carries `partial`. An abort throws `signal.reason` at the next read.
 *
 * @param source - as for {@link accumulateChatCompletion}
 * @param options - accumulator options (`parseArguments` adds parsed tool arguments), `signal`
 * @example
 * ```ts
 * import { streamChatCompletion } from '@deltafold/core'
 * const stream = streamChatCompletion(['data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n'])
 * for await (const event of stream) if (event.type === 'content.delta') console.log(event.delta) // Hi
 * const completion = await stream.finalChatCompletion()
 * ```
 */
export function streamChatCompletion(source: ByteSource | ChunkSource, options: ChatCompletionStreamOptions = {}): StreamedChatCompletion {
  const queue: CompletionEvent[] = []
  const parser = createChatCompletionStreamParser({ ...options, onEvent: queueEvents(queue, options.onEvent) })
  const events = pullEvents(pullChatCompletion(source, parser, options.signal), queue, options.signal, 'streamChatCompletion')
  return {
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
    finalChatCompletion: events.final,
    snapshot: parser.snapshot,
    inputKind: () => parser.inputKind,
  }
}
