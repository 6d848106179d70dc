import {
  createChatCompletionAccumulator,
  eventPositionOf,
  locateError,
  type ChatCompletion,
  type ChatCompletionAccumulator,
  type ChatCompletionAccumulatorOptions,
  type ChatCompletionChunk,
  type CompletionEvent,
} from '@deltafold/core'
import { EventPump, PumpedStream, type PumpEngine } from './internal/event-pump.js'

/**
 * A `TransformStream` (readable/writable pair) from `chat.completion.chunk` objects to typed {@link CompletionEvent}s, wrapping
 * core's `createChatCompletionAccumulator`, with the final completion on the instance.
 *
 * - `finalChatCompletion()` resolves when the writable side closes; it rejects with the stream's
 *   error (which carries `partial`) or, when the readable side is cancelled first, with a
 *   `DeltafoldError` (`aborted`) whose `cause` is the cancel reason. Called while nobody reads the
 *   readable side, it reads (and discards) the events itself so that the stream can advance.
 * - `snapshot()` returns the completion so far at any time, also after an error or a cancel.
 *
 * Errors of the accumulator name the event the chunk came from (number and byte offset) when the
 * chunk came through `ChatCompletionChunkStream`, worded as core's parser words them. The two sides
 * are one `WritableStream` and one pull-based `ReadableStream`, as in `ChatCompletionDecoderStream`
 * (not `instanceof TransformStream`): cancelling the readable side is observed in every runtime.
 *
 * @param options - accumulator options: `onEvent`, `limits`, `strict`, `parseArguments`
 * @example
 * ```ts
 * import { ChatCompletionChunkStream, ChatCompletionEventStream, SSEDecoderStream } from '@deltafold/web'
 * const body = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!
 * const eventStream = new ChatCompletionEventStream()
 * const events = body
 *   .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
 *   .pipeThrough(new ChatCompletionChunkStream())
 *   .pipeThrough(eventStream)
 * for await (const event of events) if (event.type === 'content.delta') console.log(event.delta) // 'Hi'
 * const completion = await eventStream.finalChatCompletion()
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export class ChatCompletionEventStream
  extends PumpedStream<ChatCompletionChunk, CompletionEvent>
  implements TransformStream<ChatCompletionChunk, CompletionEvent>
{
  constructor(options: ChatCompletionEventStreamOptions = {}) {
    super(
      new EventPump(
        { onEvent: options.onEvent },
        (onEvent) =>
          new AccumulateEngine(createChatCompletionAccumulator({ ...options, allowEmpty: options.allowEmpty === true, onEvent })),
      ),
    )
  }
}

/** Options of {@link ChatCompletionEventStream}: the accumulator's, and `allowEmpty`. */
export interface ChatCompletionEventStreamOptions extends ChatCompletionAccumulatorOptions {
  /**
   * Resolve with an empty completion when the input ends without a single chunk (core's stream
   * entry points' option of the same name). By default that is a `DeltafoldError` (`empty_stream`):
   * a body that was no event stream, or carried only comments or `[DONE]`, never passes for an answer.
   */
  allowEmpty?: boolean
}

/** The accumulator as a pump engine: errors get the position of the event their chunk came from. */
class AccumulateEngine implements PumpEngine<ChatCompletionChunk> {
  readonly end: () => ChatCompletion
  readonly snapshot: () => ChatCompletion
  readonly #accumulator: ChatCompletionAccumulator

  constructor(accumulator: ChatCompletionAccumulator) {
    this.#accumulator = accumulator
    this.end = accumulator.finish
    this.snapshot = accumulator.snapshot
  }

  feed(chunk: ChatCompletionChunk): void {
    try {
      this.#accumulator.push(chunk)
    } catch (error) {
      const position = typeof chunk === 'object' && chunk !== null ? eventPositionOf(chunk) : undefined
      throw position ? locateError(error, position) : error
    }
  }
}
