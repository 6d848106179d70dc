import { createChatCompletionTap, type ChatCompletion, type ChatCompletionTap, type ChatCompletionTapOptions } from '@deltafold/core'
import { ensureAsyncIterable } from './internal/async-iterable.js'

/**
 * A byte `TransformStream` for gateways: every chunk goes out first, the same object, unchanged and
 * in order, and is folded after (core's `createChatCompletionTap`), so the client never waits on the
 * fold and no bytes are buffered beyond the SSE event being decoded. The final completion is on the
 * instance, for logging, billing or caching.
 *
 * - Fail-open: a malformed stream, a limit or a provider error stops the fold, never the bytes;
 *   `finalChatCompletion()` rejects with the typed error carrying `partial`. `failClosed: true`
 *   errors the byte stream on bad input instead (a provider error still only reaches the fold).
 * - A cancel from the client reaches the upstream (as for any pipe); the fold then rejects
 *   `aborted` with `partial`.
 * - `finalChatCompletion()` settles at `data: [DONE]` or at the end of the bytes.
 *
 * @param options - fold options (`onEvent`, `limits`, `strict`, `parseArguments`, `maxEventBytes`), `failClosed`
 * @example
 * ```ts
 * import { ChatCompletionTapStream } from '@deltafold/web'
 * const upstream = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!
 * const tap = new ChatCompletionTapStream()
 * const response = new Response(upstream.pipeThrough(tap), { headers: { 'content-type': 'text/event-stream' } })
 * await response.text() // the client reads the bytes as they were
 * const completion = await tap.finalChatCompletion()
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export class ChatCompletionTapStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly #tap: ChatCompletionTap

  constructor(options: ChatCompletionTapOptions = {}) {
    const tap = createChatCompletionTap(options)
    super({
      transform(chunk, controller) {
        // Out first: the client's read never waits on the fold.
        controller.enqueue(chunk)
        tap.feed(chunk)
      },
      flush() {
        tap.end()
      },
      // Called when the readable side is cancelled (or the writable side aborted), where supported.
      cancel(reason: unknown) {
        tap.cancel(reason)
      },
    } as Transformer<Uint8Array, Uint8Array>)
    this.#tap = tap
    if (!hasCancelHook()) observeCancel(this, tap)
  }

  /**
   * Resolves with the final `chat.completion` at `data: [DONE]` or when the bytes end; rejects with
   * the typed error that stopped the fold (carrying `partial`), or `aborted` on a cancel.
   * @example
   * ```ts
   * import { ChatCompletionTapStream } from '@deltafold/web'
   * const tap = new ChatCompletionTapStream()
   * const writer = tap.writable.getWriter()
   * void writer.write(new TextEncoder().encode('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'))
   * void writer.close()
   * void tap.readable.pipeTo(new WritableStream())
   * console.log((await tap.finalChatCompletion()).choices[0]?.message.content) // 'Hi'
   * ```
   */
  finalChatCompletion(): Promise<ChatCompletion> {
    return this.#tap.finalChatCompletion()
  }

  /**
   * The completion so far: a fresh copy, at any time, also after an error. Never throws.
   * @example
   * ```ts
   * import { ChatCompletionTapStream } from '@deltafold/web'
   * new ChatCompletionTapStream().snapshot().choices // []
   * ```
   */
  snapshot(): ChatCompletion {
    return this.#tap.snapshot()
  }
}

// Whether this runtime calls a transformer's `cancel` (Node 20+, Deno, Chromium 124+, workerd): found once.
let cancelHook: boolean | undefined

function hasCancelHook(): boolean {
  if (cancelHook === undefined) {
    let called = false
    // The class this one extends: the runtime's TransformStream (as it was when the module loaded).
    const Base = Object.getPrototypeOf(ChatCompletionTapStream) as typeof TransformStream
    const probe = new Base({ cancel: () => void (called = true) } as Transformer)
    // The spec runs the cancel algorithm synchronously inside ReadableStreamCancel.
    probe.readable.cancel().catch(() => {})
    cancelHook = called
  }
  return cancelHook
}

/**
 * Where the runtime ignores the `cancel` hook: the readable side becomes a pull-through wrapper whose
 * cancel tells the fold, then cancels the transform's own readable (which cancels the upstream).
 */
function observeCancel(stream: ChatCompletionTapStream, tap: ChatCompletionTap): void {
  const reader = stream.readable.getReader()
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>
        try {
          result = await reader.read()
        } catch (error) {
          // The upstream failed (the writable side was aborted) or failClosed errored the stream.
          tap.error(error)
          throw error
        }
        if (result.done) controller.close()
        else controller.enqueue(result.value)
      },
      cancel(reason) {
        tap.cancel(reason)
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  Object.defineProperty(stream, 'readable', { value: ensureAsyncIterable(readable), configurable: true })
}
