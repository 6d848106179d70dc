import {
  createChatCompletionStreamParser,
  createFinalCompletion,
  pullChatCompletion,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'
import { ensureAsyncIterable } from './internal/async-iterable.js'
import { drain } from './internal/drain.js'

/** Options of {@link fromResponse}: accumulator options (`onEvent`, `limits`, `strict`, `parseArguments`), `maxEventBytes`, `signal`. */
export type FromResponseOptions = ChatCompletionStreamOptions

/** What {@link fromResponse} returns. */
export interface ResponseCompletionStream {
  /**
   * The typed events, pulled from the response body one network chunk at a time (nothing is read
   * ahead of the consumer). Async-iterable in every runtime. Cancelling it, or leaving a `for await`
   * early, cancels the body exactly once.
   */
  events: ReadableStream<CompletionEvent> & AsyncIterable<CompletionEvent>
  /**
   * Resolves with the final completion; rejects with the stream's error (carrying `partial`). Called
   * while nobody reads `events`, it reads them itself; after that, `events` is locked.
   */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far (a copy), at any time, also after an error or abort. Never throws. */
  snapshot(): ChatCompletion
}

const NONE: unique symbol = Symbol('none')

/**
 * Reads a `fetch` `Response` of a streaming chat completion as typed events and a final completion.
 *
 * The status and content type are checked at once (core's `checkResponse`): a non-2xx response, or a
 * 2xx JSON body where an event stream was expected, makes `events` error and `finalChatCompletion()`
 * reject with a `ProviderError` (`http_error`) whose `error` is the parsed body and `status` the status.
 *
 * The body is read only when `events` is pulled. `data: [DONE]` ends the stream and cancels the rest
 * of the body; a body that closes without it is complete. Errors (`invalid_json`, `upstream_error`
 * for a provider error payload, `stream_failed` when the body fails, with the failure as `cause`)
 * carry `eventNumber`, `byteOffset` and `partial`; events decoded before the error are delivered
 * first. When `signal` aborts, the body is cancelled, pending reads reject at once with
 * `signal.reason` (which gets a non-enumerable `partial` when it is an object), and `snapshot()`
 * still returns what arrived.
 *
 * @param response - the `Response` of a `stream: true` chat-completions request
 * @param options - accumulator options, `maxEventBytes`, `signal`
 * @example
 * ```ts
 * import { fromResponse } from '@deltafold/web'
 * const response = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', {
 *   headers: { 'content-type': 'text/event-stream' },
 * }) // in real code: await fetch(url, { method: 'POST', body, signal })
 * const stream = fromResponse(response)
 * for await (const event of stream.events) if (event.type === 'content.delta') console.log(event.delta) // 'Hi'
 * const completion = await stream.finalChatCompletion()
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export function fromResponse(response: Response, options: FromResponseOptions = {}): ResponseCompletionStream {
  if (typeof response !== 'object' || response === null || typeof (response as Response).headers?.get !== 'function') {
    throw new TypeError('fromResponse() expects a fetch Response: pass the result of `await fetch(url, { ... })`')
  }
  const signal = options.signal
  // Events of the piece just fed, handed to the stream's queue after each pull of the loop.
  const queue: CompletionEvent[] = []
  const user = options.onEvent
  const onEvent = user
    ? (event: CompletionEvent) => void (queue.push(event), user(event))
    : (event: CompletionEvent) => void queue.push(event)
  const parser = createChatCompletionStreamParser({ ...options, onEvent })
  // Core's pull loop reads, feeds, cancels on [DONE] and shapes every error; this is the stream glue.
  const loop = pullChatCompletion(response, parser, signal)
  const final = createFinalCompletion(parser.snapshot)
  let controller!: ReadableStreamDefaultController<CompletionEvent>
  // The consumer cancelled `events`: the controller must not be touched again.
  let cancelled = false
  // An error to raise once the events decoded before it have been read.
  let pendingError: unknown = NONE

  // Pending reads reject with the reason now, not at the next network chunk; queued events are
  // dropped. The opened source cancels the body with the reason itself.
  function onAbort(): void {
    if (final.settled) return
    settle(final.fail(signal!.reason))
    controller.error(pendingError)
  }

  function settle(error: unknown = NONE): void {
    signal?.removeEventListener('abort', onAbort)
    pendingError = error
    if (error !== NONE) queue.length = 0
  }

  // workerd calls pull() before the promise returned by start() settles (the spec says it must
  // wait): pull() awaits it explicitly, so the body is always opened (its status checked) first.
  let started: Promise<void> = Promise.resolve()
  const events = new ReadableStream<CompletionEvent>(
    {
      start(c) {
        controller = c
        if (signal?.aborted) onAbort()
        else signal?.addEventListener('abort', onAbort, { once: true })
        started = loop.open().catch((error: unknown) => {
          if (final.settled) return
          settle(final.fail(loop.fail(error)))
          c.error(pendingError)
        })
        return started
      },
      async pull(c) {
        await started
        try {
          while (queue.length === 0 && !final.settled) {
            if (!(await loop.pull()) && !final.settled) {
              final.resolve(loop.end())
              settle()
            }
          }
        } catch (error) {
          // Raised after an abort, it is already reported. Otherwise the events decoded before the
          // error are delivered first (the queue is kept), then the error.
          if (!final.settled) {
            signal?.removeEventListener('abort', onAbort)
            pendingError = final.fail(loop.fail(error))
          }
        }
        if (cancelled) return
        const enqueued = queue.length
        for (const event of queue) c.enqueue(event)
        queue.length = 0
        if (!final.settled || (enqueued > 0 && pendingError !== NONE)) return
        if (pendingError !== NONE) c.error(pendingError)
        else c.close()
      },
      cancel(reason) {
        cancelled = true
        queue.length = 0
        if (!final.settled) {
          settle()
          final.abort('The events stream was cancelled before the completion ended', reason)
        }
        return loop.cancel(reason)
      },
    },
    // Nothing is read before the consumer asks: pull() runs only for a pending read.
    { highWaterMark: 0 },
  )

  return {
    events: ensureAsyncIterable(events),
    finalChatCompletion() {
      // Reads the events nobody reads, so that the completion can settle (once: then `events` is locked).
      if (!events.locked) void drain(events.getReader())
      return final.promise
    },
    snapshot: parser.snapshot,
  }
}
