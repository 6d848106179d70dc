import {
  createChatCompletionStreamParser,
  type ChatCompletionStreamOptions,
} from './chat-completion-stream-parser.js'
import type { CompletionEvent } from './completion-event.js'
import { DeltafoldError } from '../errors.js'
import { openSource, type ByteSource, type OpenedSource } from '../source/open-source.js'
import type { ChatCompletion } from './types.js'

/** What {@link streamChatCompletion} returns: the events, and the final completion. */
export interface StreamedChatCompletion extends AsyncIterable<CompletionEvent> {
  /** Resolves with the final completion; rejects with the pipeline's error (which carries `partial`). */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far (a copy). Never throws. */
  snapshot(): ChatCompletion
}

/**
 * Reads a whole chat-completion stream and resolves with the final `chat.completion`.
 *
 * A stream that closes without `data: [DONE]` is complete; bytes after `[DONE]` are ignored and the
 * source is cancelled. Errors are `DeltafoldError`s carrying `partial` (everything received before);
 * an abort rejects with `signal.reason` (with `partial` attached when the reason is an object).
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of `Uint8Array`/string chunks, or a string
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
export async function accumulateChatCompletion(source: ByteSource, options: ChatCompletionStreamOptions = {}): Promise<ChatCompletion> {
  const parser = createChatCompletionStreamParser(options)
  let input: OpenedSource | undefined
  try {
    input = await openSource(source, options.signal)
    for (;;) {
      const result = await input.next()
      if (result.done) break
      parser.feed(result.value)
      if (parser.sawDone) {
        // Not awaited (nor below): cancel() has called the upstream's cancel and released the lock
        // when it returns; a source whose cancel never settles must not hang the result.
        void input.cancel()
        break
      }
    }
    input.close()
    return parser.end()
  } catch (error) {
    void input?.cancel(error)
    throw withPartial(error, parser.snapshot)
  }
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
export function streamChatCompletion(source: ByteSource, options: ChatCompletionStreamOptions = {}): StreamedChatCompletion {
  const queue: CompletionEvent[] = []
  const userOnEvent = options.onEvent
  const parser = createChatCompletionStreamParser({
    ...options,
    onEvent(event) {
      queue.push(event)
      userOnEvent?.(event)
    },
  })
  let resolveFinal!: (completion: ChatCompletion) => void
  let rejectFinal!: (error: unknown) => void
  const final = new Promise<ChatCompletion>((resolve, reject) => {
    resolveFinal = resolve
    rejectFinal = reject
  })
  // Nobody may be waiting for the final completion: don't report an unhandled rejection for it.
  final.catch(() => {})
  // The generator was handed out (to `for await` or to finalChatCompletion's drain).
  let started = false

  async function* run(): AsyncGenerator<CompletionEvent, void, undefined> {
    let input: OpenedSource | undefined
    // The stream ended, normally or with an error: no cancellation needed on return().
    let settled = false
    // Next event of `queue` to hand out; the queue holds the events of one fed chunk.
    let head = 0
    try {
      input = await openSource(source, options.signal)
      for (;;) {
        const result = await input.next()
        if (result.done) break
        parser.feed(result.value)
        const done = parser.sawDone
        if (done) void input.cancel()
        while (head < queue.length) {
          // An abort stops the events at once, even those already decoded from this chunk.
          options.signal?.throwIfAborted()
          yield queue[head++]!
        }
        queue.length = 0
        head = 0
        if (done) break
      }
      input.close()
      const completion = parser.end()
      settled = true
      resolveFinal(completion)
      while (head < queue.length) yield queue[head++]!
    } catch (error) {
      settled = true
      const wrapped = withPartial(error, parser.snapshot)
      rejectFinal(wrapped)
      void input?.cancel(wrapped)
      // Hand out the events decoded before the failure (the ones `partial` holds) and only then
      // fail: which events a consumer sees must not depend on how the bytes were chunked. An abort
      // is the exception: it stops the events at once.
      if (!options.signal?.aborted) while (head < queue.length) yield queue[head++]!
      throw wrapped
    } finally {
      queue.length = 0
      if (!settled) {
        // The consumer stopped early (break, return, throw in the loop body).
        const reason = new DeltafoldError('aborted', 'The consumer stopped reading the stream')
        reason.partial = parser.snapshot()
        rejectFinal(reason)
        void input?.cancel(reason)
      }
    }
  }

  const iterator = run()
  return {
    [Symbol.asyncIterator]() {
      if (started) throw new TypeError('This stream can be iterated only once: call streamChatCompletion() again for a new one')
      started = true
      return iterator
    },
    finalChatCompletion() {
      if (!started) {
        started = true
        void (async () => {
          try {
            for await (const _ of iterator) {
              // Draining: the events are not wanted, only the completion.
            }
          } catch {
            // Reported through `final`.
          }
        })()
      }
      return final
    },
    snapshot: parser.snapshot,
  }
}

/**
 * Attaches the partial completion to an error leaving a pipeline: a `DeltafoldError` gets `partial`
 * when it has none; a foreign object (an abort reason, an upstream error) gets it as a non-enumerable
 * property and passes through otherwise unchanged. Adapters use it so every error they raise carries
 * what was received.
 *
 * @param error - what was thrown
 * @param snapshot - returns the completion so far
 * @example
 * ```ts
 * import { createChatCompletionAccumulator, withPartial } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * const reason = withPartial(new Error('aborted'), acc.snapshot) as Error & { partial: unknown }
 * reason.partial // { id: '', object: 'chat.completion', … }
 * ```
 */
export function withPartial(error: unknown, snapshot: () => ChatCompletion): unknown {
  if (error instanceof DeltafoldError) {
    error.partial ??= snapshot()
    return error
  }
  if (typeof error === 'object' && error !== null && Object.isExtensible(error) && !('partial' in error)) {
    // An abort reason (or another foreign error) passes through as it is, carrying the partial result.
    Object.defineProperty(error, 'partial', { value: snapshot(), enumerable: false, configurable: true, writable: true })
  }
  return error
}
