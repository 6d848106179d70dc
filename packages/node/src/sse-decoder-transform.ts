import { Transform } from 'node:stream'
import { createSSEDecoderStage, type SSEDecoderStageOptions } from '@deltafold/core'

/** Options of {@link createSSEDecoderTransform}. */
export interface SSEDecoderTransformOptions extends SSEDecoderStageOptions {
  /** Events buffered on the readable side before backpressure stops the writes. @defaultValue 16 */
  highWaterMark?: number
}

/**
 * Creates a `stream.Transform` from bytes (Buffers or strings) to Server-Sent Event objects, wrapping
 * core's `createSSEDecoder`. The readable side is in object mode; it works with `pipeline()` and
 * honours backpressure. A decoding error (`event_too_large`) destroys the stream with that error.
 *
 * For chat completions pass `dispatchUnterminated: true`: the WHATWG default discards an event that
 * the stream ends without a blank line after, which loses the last chunk of some providers.
 *
 * @param options - `maxEventBytes` (default 16 MiB), `dispatchUnterminated` (default `false`), `onComment`, `onRetry`, `highWaterMark`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { createSSEDecoderTransform } from '@deltafold/node'
 * const events = Readable.from([Buffer.from('data: hel'), Buffer.from('lo\n\n')]).pipe(createSSEDecoderTransform())
 * for await (const event of events) console.log(event.data) // 'hello'
 * ```
 */
export function createSSEDecoderTransform(options: SSEDecoderTransformOptions = {}): Transform {
  let transform: Transform | undefined
  const decoder = createSSEDecoderStage((event) => void transform!.push(event), options)
  transform = new Transform({
    readableObjectMode: true,
    readableHighWaterMark: options.highWaterMark ?? 16,
    // Strings go to the decoder as text (it tracks offsets in UTF-16 units for them).
    decodeStrings: false,
    transform(chunk: Buffer | string, encoding, callback) {
      try {
        decoder.feed(typeof chunk === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding) : chunk)
      } catch (error) {
        callback(error as Error)
        return
      }
      callback()
    },
    flush(callback) {
      try {
        decoder.end()
      } catch (error) {
        callback(error as Error)
        return
      }
      callback()
    },
  })
  return transform
}
