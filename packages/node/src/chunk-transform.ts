import { Transform } from 'node:stream'
import { carriesData, parseChunkEvent, type ServerSentEvent } from '@deltafold/core'

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
 * Errors carry `eventNumber` (1-based, counting the events this transform received) and `data`, but
 * no `byteOffset`: the events arrive already decoded. `accumulateFromReadable` reports it.
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
  // Number of events received so far; the event being parsed is number `eventNumber`.
  let eventNumber = 0
  // `data: [DONE]` arrived: later events are ignored, as openai-node does.
  let sawDone = false
  return new Transform({
    objectMode: true,
    highWaterMark: options.highWaterMark ?? 16,
    transform(event: ServerSentEvent, _encoding, callback) {
      if (sawDone) {
        callback()
        return
      }
      eventNumber++
      try {
        const result = parseChunkEvent(event, { eventNumber })
        if (result.kind === 'done') sawDone = true
        else if (result.kind === 'chunk') {
          // A chunk carrying an `error` beside choices or usage (OpenRouter) still goes downstream
          // first, so that what it carries counts; an error-only payload is just the error.
          if (!result.error || carriesData(result.chunk)) this.push(result.chunk)
          if (result.error) throw result.error
        }
      } catch (error) {
        callback(error as Error)
        return
      }
      callback()
    },
  })
}
