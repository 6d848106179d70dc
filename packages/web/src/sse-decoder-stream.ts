import { createSSEDecoderStage, type ServerSentEvent, type SSEDecoderStageOptions } from '@deltafold/core'

/** Options of {@link SSEDecoderStream}: the decoder's options plus its comment and retry callbacks. */
export type SSEDecoderStreamOptions = SSEDecoderStageOptions

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
    let controller!: TransformStreamDefaultController<ServerSentEvent>
    const decoder = createSSEDecoderStage((event) => controller.enqueue(event), options)
    super({
      start: (c) => void (controller = c),
      transform: (chunk) => decoder.feed(chunk),
      flush: () => decoder.end(),
    })
  }
}
