import { createSSEDecoder, type ServerSentEvent, type SSEDecoderHandlers, type SSEDecoderOptions } from '@deltafold/core'

/** Options of {@link SSEDecoderStream}: the decoder's options plus its comment and retry callbacks. */
export interface SSEDecoderStreamOptions extends SSEDecoderOptions {
  /** Called for every comment line (`: keep-alive`), with the text after the colon and one optional space. */
  onComment?: (text: string) => void
  /** Called for every valid `retry:` field, in milliseconds. */
  onRetry?: (ms: number) => void
}

/**
 * A `TransformStream` from response bytes (or text) to Server-Sent Events, wrapping core's
 * `createSSEDecoder`: WHATWG line and field rules, any chunking (even inside a UTF-8 sequence), and
 * `maxEventBytes`. A decoding error (`event_too_large`) errors both sides of the stream.
 *
 * For chat completions pass `dispatchUnterminated: true`: the WHATWG default discards an event that
 * the stream ends without a blank line after, which loses the last chunk of some providers.
 *
 * @param options - `maxEventBytes` (default 16 MiB), `dispatchUnterminated` (default `false`), `onComment`, `onRetry`
 * @example
 * ```ts
 * import { SSEDecoderStream } from '@deltafold/web'
 * const body = new Response('data: hello\n\n: ping\ndata: world').body!
 * const events = body.pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
 * for await (const event of events) console.log(event.data) // 'hello', then 'world'
 * ```
 */
export class SSEDecoderStream extends TransformStream<Uint8Array | string, ServerSentEvent> {
  constructor(options: SSEDecoderStreamOptions = {}) {
    let controller: TransformStreamDefaultController<ServerSentEvent> | undefined
    const handlers: SSEDecoderHandlers = { onEvent: (event) => controller!.enqueue(event) }
    if (options.onComment) handlers.onComment = options.onComment
    if (options.onRetry) handlers.onRetry = options.onRetry
    const decoderOptions: SSEDecoderOptions = {}
    if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
    if (options.dispatchUnterminated !== undefined) decoderOptions.dispatchUnterminated = options.dispatchUnterminated
    const decoder = createSSEDecoder(handlers, decoderOptions)
    super({
      start(c) {
        controller = c
      },
      transform(chunk) {
        decoder.feed(chunk)
      },
      flush() {
        decoder.end()
      },
    })
  }
}
