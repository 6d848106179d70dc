import { recordEventPosition } from './event-position.js'
import { createSSEDecoder, type ServerSentEvent, type SSEDecoder, type SSEDecoderOptions } from './sse-decoder.js'

/** Options of {@link createSSEDecoderStage}: the decoder's options plus its comment and retry callbacks. */
export interface SSEDecoderStageOptions extends SSEDecoderOptions {
  /** Called for every comment line (`: keep-alive`), with the text after the colon and one optional space. */
  onComment?: (text: string) => void
  /** Called for every valid `retry:` field, in milliseconds. */
  onRetry?: (ms: number) => void
}

/**
 * The bytes → events stage of the adapters' multi-stage pipelines (`SSEDecoderStream`,
 * `createSSEDecoderTransform`): core's decoder with the stage's options, recording each event's number
 * and byte offset (see `recordEventPosition`) so that a chunk stage after it reports errors at the
 * same place core's one-stage parser does.
 *
 * @param emit - receives each event, in order
 * @param options - `maxEventBytes`, `dispatchUnterminated`, `onComment`, `onRetry`
 * @example
 * ```ts
 * import { createSSEDecoderStage, eventPositionOf } from '@deltafold/core'
 * const decoder = createSSEDecoderStage((event) => console.log(eventPositionOf(event))) // { eventNumber: 1, byteOffset: 7 }
 * decoder.feed('data: a\n\n')
 * ```
 */
export function createSSEDecoderStage(emit: (event: ServerSentEvent) => void, options: SSEDecoderStageOptions = {}): SSEDecoder {
  const decoderOptions: SSEDecoderOptions = {}
  if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
  if (options.dispatchUnterminated !== undefined) decoderOptions.dispatchUnterminated = options.dispatchUnterminated
  const decoder: SSEDecoder = createSSEDecoder(
    {
      onEvent(event) {
        recordEventPosition(event, { eventNumber: decoder.eventCount, byteOffset: decoder.position() })
        emit(event)
      },
      ...(options.onComment ? { onComment: options.onComment } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    },
    decoderOptions,
  )
  return decoder
}
