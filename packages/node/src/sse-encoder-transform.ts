import { Transform } from 'node:stream'
import { encodeSSE, type SSEEventInit } from '@deltafold/core'

/** Options of {@link createSSEEncoderTransform}. */
export interface SSEEncoderTransformOptions {
  /** Events buffered on the writable side before backpressure stops the writes. @defaultValue 16 */
  highWaterMark?: number
}

/**
 * Creates a `stream.Transform` from event objects (object-mode writable side) to the UTF-8 bytes of
 * Server-Sent Events (Buffers), one event per write, wrapping core's `encodeSSE`. It works with
 * `pipeline()` and honours backpressure. An event that cannot be written faithfully (a line break in
 * `type` or `id`, NUL in `id`, a bad `retry`) destroys the stream with a `DeltafoldError`
 * (`invalid_event`).
 *
 * @param options - `highWaterMark`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * import { createSSEEncoderTransform } from '@deltafold/node'
 * // In an HTTP handler: res.writeHead(200, { 'content-type': 'text/event-stream' })
 * await pipeline(Readable.from([{ data: 'hello' }, { data: 'a\nb', id: '2' }]), createSSEEncoderTransform(), process.stdout)
 * // data: hello\n\nid: 2\ndata: a\ndata: b\n\n
 * ```
 */
export function createSSEEncoderTransform(options: SSEEncoderTransformOptions = {}): Transform {
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: options.highWaterMark ?? 16,
    transform(event: SSEEventInit, _encoding, callback) {
      let bytes: Buffer
      try {
        bytes = Buffer.from(encodeSSE(event), 'utf8')
      } catch (error) {
        callback(error as Error)
        return
      }
      callback(null, bytes)
    },
  })
}
