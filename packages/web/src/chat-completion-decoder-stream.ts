import { createChatCompletionStreamParser, type ChatCompletionStreamOptions, type CompletionEvent } from '@deltafold/core'
import { EventPump, PumpedStream } from './internal/event-pump.js'

/** Options of {@link ChatCompletionDecoderStream}: those of core's `streamChatCompletion`, plus `batch`. */
export interface ChatCompletionDecoderStreamOptions<Batch extends boolean = boolean> extends ChatCompletionStreamOptions {
  /**
   * Emit the events of each network chunk as one array (in wire order, none left out) instead of one
   * event per read: a stream of web-streams items costs about a microsecond per item in Node 20,
   * more than decoding the event, so a consumer that handles events in a loop anyway reads the same
   * events several times faster this way (`adapters` bench).
   * @defaultValue false
   */
  batch?: Batch
}

/** What the readable side of a {@link ChatCompletionDecoderStream} yields: events, or arrays of them with `batch: true`. */
export type ChatCompletionDecoderStreamOutput<Batch extends boolean> = Batch extends true ? CompletionEvent[] : CompletionEvent

/**
 * A `TransformStream` from the bytes (or text) of a streaming chat-completion response to typed
 * `CompletionEvent`s, in one stage: `response.body.pipeThrough(new ChatCompletionDecoderStream())`.
 * It wraps core's `createChatCompletionStreamParser` (SSE decoding, an unterminated last event
 * dispatched, `[DONE]`, the chunk fast path, limits), so events, errors and the final completion are
 * those of `streamChatCompletion` for the same bytes, however they are chunked.
 *
 * - `finalChatCompletion()` resolves when the writable side closes; it rejects with the stream's
 *   error (a `DeltafoldError` carrying `partial`, `eventNumber`, `byteOffset`) or, when the readable
 *   side is cancelled first, with a `DeltafoldError` (`aborted`) whose `cause` is the cancel reason.
 *   Called while nobody reads the readable side, it reads (and discards) the events itself.
 * - `snapshot()` returns the completion so far at any time, also after an error or a cancel.
 * - `data: [DONE]` ends the events and errors the writable side, so that the pipe cancels the rest of
 *   the body (as core does; a `pipeTo()` promise then rejects). Events decoded before an error are
 *   delivered first; a body that fails is a `stream_failed` error whose `cause` is the failure.
 * - Backpressure: a write resolves once the events it produced have been read; cancelling the
 *   readable side errors the writable side, so a pipe into it cancels its source with the reason.
 * - `signal`: aborting errors both sides with `signal.reason` (given a non-enumerable `partial`).
 *
 * It has the `readable` and `writable` of a `TransformStream` (use it with `pipeThrough`), built
 * directly over one `WritableStream` and one pull-based `ReadableStream` (not `instanceof
 * TransformStream`): a `TransformStream` plus the wrapper that observes cancel in browsers cost two
 * queues per event, and a module-level `class … extends TransformStream` cannot be tree-shaken.
 *
 * @param options - accumulator options (`onEvent`, `limits`, `strict`, `parseArguments`, `chunkEvents`), `maxEventBytes`, `fastPath`, `signal`
 * @example
 * ```ts
 * import { ChatCompletionDecoderStream } from '@deltafold/web'
 * const body = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!
 * const decoder = new ChatCompletionDecoderStream()
 * for await (const event of body.pipeThrough(decoder)) if (event.type === 'content.delta') console.log(event.delta) // 'Hi'
 * const completion = await decoder.finalChatCompletion()
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export class ChatCompletionDecoderStream<Batch extends boolean = false>
  extends PumpedStream<Uint8Array | string, ChatCompletionDecoderStreamOutput<Batch>>
  implements TransformStream<Uint8Array | string, ChatCompletionDecoderStreamOutput<Batch>>
{
  constructor(options: ChatCompletionDecoderStreamOptions<Batch> = {}) {
    super(new EventPump({ ...options, body: true }, (onEvent) => createChatCompletionStreamParser({ ...options, onEvent })))
  }
}
