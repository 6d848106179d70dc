import {
  createChatCompletionStreamParser,
  type ChatCompletionStreamOptions,
  type InputKind,
} from './chat-completion-stream-parser.js'
import type { CompletionEvent } from './completion-event.js'
import type { ByteSource, ChunkSource } from '../source/open-byte-source.js'
import { pullChatCompletion } from './pull-chat-completion.js'
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
  const loop = pullChatCompletion(source, createChatCompletionStreamParser(options), options.signal)
  try {
    while (await loop.pull()) {
      // Events go to options.onEvent as the parser decodes them.
    }
    return loop.end()
  } catch (error) {
    throw loop.fail(error)
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
export function streamChatCompletion(source: ByteSource | ChunkSource, options: ChatCompletionStreamOptions = {}): StreamedChatCompletion {
  const queue: CompletionEvent[] = []
  const userOnEvent = options.onEvent
  const parser = createChatCompletionStreamParser({
    ...options,
    onEvent(event) {
      queue.push(event)
      userOnEvent?.(event)
    },
  })
  const loop = pullChatCompletion(source, parser, options.signal)
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
    // The stream ended, normally or with an error: no cancellation needed on return().
    let settled = false
    // Next event of `queue` to hand out; the queue holds the events of one fed chunk.
    let head = 0
    try {
      for (;;) {
        const more = await loop.pull()
        while (head < queue.length) {
          // An abort stops the events at once, even those already decoded from this chunk.
          options.signal?.throwIfAborted()
          yield queue[head++]!
        }
        queue.length = 0
        head = 0
        if (!more) break
      }
      const completion = loop.end()
      settled = true
      resolveFinal(completion)
      while (head < queue.length) yield queue[head++]!
    } catch (error) {
      settled = true
      const wrapped = loop.fail(error)
      rejectFinal(wrapped)
      // Hand out the events decoded before the failure (the ones `partial` holds) and only then
      // fail: which events a consumer sees must not depend on how the bytes were chunked. An abort
      // is the exception: it stops the events at once.
      if (!options.signal?.aborted) while (head < queue.length) yield queue[head++]!
      throw wrapped
    } finally {
      queue.length = 0
      // The consumer stopped early (break, return, throw in the loop body).
      if (!settled) rejectFinal(loop.stop())
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
    inputKind: () => parser.inputKind,
  }
}
