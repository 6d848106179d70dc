import { Transform } from 'node:stream'
import { createChunkStage, type ChatCompletionChunk, type ServerSentEvent } from '@deltafold/core'

/** Options of {@link createChunkTransform}. */
export interface ChunkTransformOptions {
  /** Objects buffered on each side before backpressure applies. @defaultValue 16 */
  highWaterMark?: number
}

/**
 * Creates an object-mode `stream.Transform` from Server-Sent Events to parsed `chat.completion.chunk`
 * objects, wrapping core's `parseChunkEvent`. Events with empty data or `null` are skipped;
 * `data: [DONE]` ends the completion and every later event is ignored; an `event: error` or a
 * `data: {"error": …}` payload destroys the stream with a `ProviderError` (`upstream_error`), and a
 * payload that is not a JSON object with a `DeltafoldError` (`invalid_json`, `invalid_chunk`).
 *
 * Errors are core's for the same bytes: after `createSSEDecoderTransform`, which records each event's
 * number and byte offset, they carry both; events from elsewhere are counted here and have no byte offset.
 *
 * @param options - `highWaterMark`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * import { createChunkTransform, createSSEDecoderTransform } from '@deltafold/node'
 * const body = Readable.from(['data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n'])
 * const chunks: unknown[] = []
 * await pipeline(body, createSSEDecoderTransform(), createChunkTransform(), async (source) => {
 *   for await (const chunk of source) chunks.push(chunk)
 * })
 * console.log(chunks.length) // 1
 * ```
 */
export function createChunkTransform(options: ChunkTransformOptions = {}): Transform {
  const stage = createChunkStage()
  const transform: Transform = new Transform({
    objectMode: true,
    highWaterMark: options.highWaterMark ?? 16,
    transform(event: ServerSentEvent, _encoding, callback) {
      try {
        stage.push(event, emit)
      } catch (error) {
        callback(error as Error)
        return
      }
      callback()
    },
  })
  const emit = (chunk: ChatCompletionChunk) => void transform.push(chunk)
  return transform
}
