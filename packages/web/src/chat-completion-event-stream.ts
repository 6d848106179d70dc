import {
  withPartial,
  DeltafoldError,
  createChatCompletionAccumulator,
  type ChatCompletion,
  type ChatCompletionAccumulatorOptions,
  type ChatCompletionChunk,
  type CompletionEvent,
} from '@deltafold/core'
import { ensureAsyncIterable } from './internal/async-iterable.js'
import { deferred } from './internal/deferred.js'

/**
 * A `TransformStream` from `chat.completion.chunk` objects to typed {@link CompletionEvent}s, wrapping
 * core's `createChatCompletionAccumulator`, with the final completion on the instance.
 *
 * - `finalChatCompletion()` resolves when the writable side closes; it rejects with the stream's
 *   error (which carries `partial`) or, when the readable side is cancelled first, with a
 *   `DeltafoldError` (`aborted`) whose `cause` is the cancel reason. Called while nobody reads the
 *   readable side, it reads (and discards) the events itself so that the stream can advance.
 * - `snapshot()` returns the completion so far at any time, also after an error or a cancel.
 *
 * The readable side is a pull-based wrapper over the transform's own: cancelling it is observed in
 * every runtime (the `TransformStream` cancel hook has no browser support yet).
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
export class ChatCompletionEventStream extends TransformStream<ChatCompletionChunk, CompletionEvent> {
  readonly #final: Promise<ChatCompletion>
  readonly #snapshot: () => ChatCompletion
  readonly #drain: () => void

  constructor(options: ChatCompletionAccumulatorOptions = {}) {
    const final = deferred<ChatCompletion>()
    // The final completion is resolved or rejected: later failures change nothing.
    let settled = false
    let controller: TransformStreamDefaultController<CompletionEvent> | undefined
    const userOnEvent = options.onEvent
    const accumulator = createChatCompletionAccumulator({
      ...options,
      onEvent(event) {
        controller!.enqueue(event)
        userOnEvent?.(event)
      },
    })
    const fail = (error: unknown): unknown => {
      if (settled) return error
      settled = true
      const wrapped = withPartial(error, accumulator.snapshot)
      final.reject(wrapped)
      return wrapped
    }
    super({
      start(c) {
        controller = c
      },
      transform(chunk) {
        try {
          accumulator.push(chunk)
        } catch (error) {
          throw fail(error)
        }
      },
      flush() {
        try {
          const completion = accumulator.finish()
          settled = true
          final.resolve(completion)
        } catch (error) {
          throw fail(error)
        }
      },
    })

    const reader = this.readable.getReader()
    const readable = new ReadableStream<CompletionEvent>(
      {
        async pull(c) {
          let result: ReadableStreamReadResult<CompletionEvent>
          try {
            result = await reader.read()
          } catch (error) {
            // The transform threw (already wrapped) or the writable side was aborted upstream.
            reader.releaseLock()
            c.error(fail(error))
            return
          }
          if (result.done) {
            reader.releaseLock()
            c.close()
          } else c.enqueue(result.value)
        },
        cancel(reason) {
          if (!settled) {
            settled = true
            final.reject(
              new DeltafoldError('aborted', 'The events stream was cancelled before the completion ended', {
                cause: reason,
                partial: accumulator.snapshot(),
              }),
            )
          }
          // Errors the writable side with `reason`, so a pipe into it cancels its source.
          const cancelled = reader.cancel(reason)
          reader.releaseLock()
          return cancelled
        },
      },
      { highWaterMark: 0 },
    )
    Object.defineProperty(this, 'readable', { value: ensureAsyncIterable(readable), configurable: true })

    this.#final = final.promise
    this.#snapshot = accumulator.snapshot
    // Reads the events nobody reads, so that finalChatCompletion() can settle.
    let draining = false
    this.#drain = () => {
      if (draining || readable.locked) return
      draining = true
      const drainer = readable.getReader()
      void (async () => {
        try {
          while (!(await drainer.read()).done) {
            // The events are not wanted, only the completion.
          }
        } catch {
          // Reported through finalChatCompletion().
        } finally {
          drainer.releaseLock()
        }
      })()
    }
  }

  /**
   * Resolves with the final `chat.completion` once the writable side closes.
   * @example
   * ```ts
   * import { ChatCompletionEventStream } from '@deltafold/web'
   * const stream = new ChatCompletionEventStream()
   * const writer = stream.writable.getWriter()
   * void writer.write({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] })
   * void writer.close()
   * const completion = await stream.finalChatCompletion() // reads the events nobody reads
   * console.log(completion.choices[0]?.message.content) // 'Hi'
   * ```
   */
  finalChatCompletion(): Promise<ChatCompletion> {
    this.#drain()
    return this.#final
  }

  /**
   * The completion so far: a fresh copy, available at any time, also after an error. Never throws.
   * @example
   * ```ts
   * import { ChatCompletionEventStream } from '@deltafold/web'
   * new ChatCompletionEventStream().snapshot().choices // []
   * ```
   */
  snapshot(): ChatCompletion {
    return this.#snapshot()
  }
}
