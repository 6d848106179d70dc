import { Readable } from 'node:stream'
import { accumulateChatCompletion, checkResponse, type ChatCompletion, type ChatCompletionStreamOptions } from '@deltafold/core'
import { readableIterator } from './internal/readable-iterator.js'

/** Options of {@link accumulateFromReadable}: accumulator options, `maxEventBytes`, `signal`. */
export type AccumulateFromReadableOptions = ChatCompletionStreamOptions

/**
 * Reads a chat-completion stream from a Node `Readable` (an `http.IncomingMessage`, a file stream,
 * any byte stream) and resolves with the final `chat.completion`, using core's
 * `accumulateChatCompletion`.
 *
 * When the readable has a `statusCode` (an `IncomingMessage`), it is checked first with core's
 * `checkResponse`: a non-2xx status rejects with a `ProviderError` (`http_error`) carrying the parsed
 * body (first 64 KiB) and the status. A 2xx JSON body is read as core reads one: a provider error
 * object is a `ProviderError` (`upstream_error`), a non-streamed `chat.completion` is accepted, anything
 * else is `not_event_stream`.
 *
 * Data is read only as fast as it is parsed. `data: [DONE]` ends the completion and destroys the
 * readable (for a response, closing its socket); any failure or abort destroys it too. When `signal`
 * aborts, the promise rejects with `signal.reason` at once (with a non-enumerable `partial` when the
 * reason is an object). Other errors are `DeltafoldError`s carrying `partial`: `stream_failed`
 * (the readable errored or closed early; the original error is the `cause`), `invalid_json`,
 * `upstream_error`, and the accumulator's codes.
 *
 * @param readable - the response or any `Readable` of the body's bytes
 * @param options - accumulator options, `maxEventBytes`, `signal`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { accumulateFromReadable } from '@deltafold/node'
 * // In real code: the `http.IncomingMessage` of a `stream: true` request.
 * const body = Readable.from(['data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n', 'data: [DONE]\n\n'])
 * const completion = await accumulateFromReadable(body)
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export async function accumulateFromReadable(readable: Readable, options: AccumulateFromReadableOptions = {}): Promise<ChatCompletion> {
  if (typeof readable !== 'object' || readable === null || typeof (readable as Readable).read !== 'function') {
    throw new TypeError('accumulateFromReadable() expects a Node Readable: pass the http.IncomingMessage or a stream of the body')
  }
  try {
    const { statusCode, headers } = readable as Readable & { statusCode?: unknown; headers?: Record<string, unknown> }
    if (typeof statusCode === 'number') {
      const contentType = headers?.['content-type']
      await checkResponse(
        {
          ok: statusCode >= 200 && statusCode <= 299,
          status: statusCode,
          headers: new Headers(typeof contentType === 'string' ? { 'content-type': contentType } : {}),
          // checkResponse looks at `locked` on every response but reads the body only for an error (up
          // to its limit, then cancelled): the web view of the readable, with its listeners, is made
          // only then.
          body: {
            locked: false,
            getReader: () => (Readable.toWeb(readable) as ReadableStream<Uint8Array>).getReader(),
          } as ReadableStream<Uint8Array>,
          text: () => Promise.resolve(''),
        },
        options.signal,
      )
    }
    return await accumulateChatCompletion({ [Symbol.asyncIterator]: () => readableIterator(readable) }, options)
  } finally {
    // Whatever happened, nothing more will be read: never leave a socket open behind a rejection.
    if (!readable.readableEnded && !readable.destroyed) readable.destroy()
  }
}
