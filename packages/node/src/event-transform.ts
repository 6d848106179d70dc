import { Transform, type TransformCallback } from 'node:stream'
import {
  createChatCompletionAccumulator,
  createFinalCompletion,
  eventPositionOf,
  locateError,
  type ChatCompletion,
  type ChatCompletionAccumulator,
  type ChatCompletionAccumulatorOptions,
  type ChatCompletionChunk,
  type FinalCompletion,
} from '@deltafold/core'

/** Options of {@link createEventTransform}: accumulator options plus `highWaterMark`. */
export interface EventTransformOptions extends ChatCompletionAccumulatorOptions {
  /** Objects buffered on each side before backpressure applies. @defaultValue 16 */
  highWaterMark?: number
  /**
   * Resolve with an empty completion when the input ends without a single chunk (core's stream
   * entry points' option of the same name). By default that is a `DeltafoldError` (`empty_stream`):
   * a body that was no event stream, or carried only comments or `[DONE]`, never passes for an answer.
   */
  allowEmpty?: boolean
}

/** The `stream.Transform` returned by {@link createEventTransform}. */
export interface EventTransform extends Transform {
  /**
   * Resolves with the final completion when the writable side finishes. Rejects with the error the
   * stream is destroyed with (carrying `partial`), or a `DeltafoldError` (`aborted`) when it is
   * destroyed without one before the end.
   */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far: a fresh copy, at any time, also after an error. Never throws. */
  snapshot(): ChatCompletion
}

/**
 * Creates an object-mode `stream.Transform` from `chat.completion.chunk` objects to typed
 * `CompletionEvent`s, wrapping core's `createChatCompletionAccumulator`. It works with `pipeline()`
 * and honours backpressure; an invalid chunk destroys it with the typed error, which carries
 * `partial`. When `pipeline()` destroys it because another stream failed, that error gets `partial`
 * too (non-enumerable when it is not a `DeltafoldError`).
 *
 * Nothing drains the readable side for you: read it (or `.resume()` it) for the completion to advance.
 *
 * @param options - accumulator options (`onEvent`, `limits`, `strict`, `parseArguments`), `highWaterMark`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * import { createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
 * const body = Readable.from(['data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n'])
 * const events = createEventTransform()
 * await pipeline(body, createSSEDecoderTransform({ dispatchUnterminated: true }), createChunkTransform(), events, async (source) => {
 *   for await (const event of source) if (event.type === 'content.delta') console.log(event.delta) // 'Hi'
 * })
 * console.log((await events.finalChatCompletion()).choices[0]?.message.content) // 'Hi'
 * ```
 */
export function createEventTransform(options: EventTransformOptions = {}): EventTransform {
  return new ChatCompletionEventTransform(options)
}

class ChatCompletionEventTransform extends Transform implements EventTransform {
  readonly #accumulator: ChatCompletionAccumulator
  readonly #final: FinalCompletion

  constructor(options: EventTransformOptions) {
    const { highWaterMark = 16, ...accumulatorOptions } = options
    super({ objectMode: true, highWaterMark })
    const userOnEvent = options.onEvent
    this.#accumulator = createChatCompletionAccumulator({
      ...accumulatorOptions,
      allowEmpty: options.allowEmpty === true,
      onEvent: (event) => {
        this.push(event)
        userOnEvent?.(event)
      },
    })
    this.#final = createFinalCompletion(this.#accumulator.snapshot)
  }

  override _transform(chunk: ChatCompletionChunk, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#accumulator.push(chunk)
    } catch (error) {
      // The position of the event the chunk came from, when createChunkTransform recorded it.
      const position = typeof chunk === 'object' && chunk !== null ? eventPositionOf(chunk) : undefined
      callback(this.#final.fail(position ? locateError(error, position) : error) as Error)
      return
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    let completion: ChatCompletion
    try {
      completion = this.#accumulator.finish()
    } catch (error) {
      callback(this.#final.fail(error) as Error)
      return
    }
    this.#final.resolve(completion)
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) callback(this.#final.fail(error) as Error)
    else {
      this.#final.abort('The event transform was destroyed before the completion ended', undefined)
      callback(null)
    }
  }

  finalChatCompletion(): Promise<ChatCompletion> {
    return this.#final.promise
  }

  snapshot(): ChatCompletion {
    return this.#accumulator.snapshot()
  }
}
