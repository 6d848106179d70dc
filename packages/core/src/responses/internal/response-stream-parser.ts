import { DeltafoldError } from '../../errors.js'
import { createSSEDecoder, type SSEDecoder } from '../../sse/sse-decoder.js'
import { createResponseAccumulator, type ResponseAccumulator, type ResponseAccumulatorOptions } from '../response-accumulator.js'
import type { Response } from '../types.js'
import { parseResponseEvent } from './parse-response-event.js'

/** Options of the bytes → Response pipeline. */
export interface ResponseStreamOptions extends ResponseAccumulatorOptions {
  /** Upper bound on one SSE event; see `SSEDecoderOptions.maxEventBytes`. @defaultValue 16 MiB */
  maxEventBytes?: number
  /** Aborts reading: the pipeline cancels the source and rejects with `signal.reason`. */
  signal?: AbortSignal
}

/** The synchronous pipeline: SSE decoder → {@link parseResponseEvent} → accumulator. */
export interface ResponseStreamParser {
  feed(chunk: Uint8Array | string): void
  end(): Response
  snapshot(): Response
  /** The terminal event or `[DONE]` arrived: later bytes are ignored. */
  readonly stopped: boolean
}

export function createResponseStreamParser(options: ResponseStreamOptions = {}): ResponseStreamParser {
  const acc: ResponseAccumulator = createResponseAccumulator(options)
  // `[DONE]` arrived (or the terminal event): later events are ignored.
  let stopped = false
  // Events that carried a payload (not skipped), to tell an empty stream from a cut one.
  let payloads = 0
  let failure: unknown
  const decoder: SSEDecoder = createSSEDecoder(
    {
      onEvent(sse) {
        if (stopped) return
        const eventNumber = decoder.eventCount
        const byteOffset = decoder.position()
        const parsed = parseResponseEvent(sse, { eventNumber, byteOffset })
        if (parsed.kind === 'done') {
          stopped = true
          return
        }
        if (parsed.kind === 'skip') return
        payloads++
        acc.push(parsed.event, { eventNumber, byteOffset, data: sse.data })
        if (acc.ended) stopped = true
      },
    },
    { dispatchUnterminated: true, ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }) },
  )

  function guard(run: () => void): void {
    if (failure !== undefined) throw failure
    try {
      run()
    } catch (error) {
      if (error instanceof DeltafoldError) error.partial ??= acc.snapshot()
      failure = error
      throw error
    }
  }

  return {
    feed(chunk) {
      if (stopped) return
      guard(() => decoder.feed(chunk))
    },
    end() {
      guard(() => {
        if (!stopped) decoder.end()
        if (payloads === 0 && failure === undefined) {
          throw new DeltafoldError('empty_stream', 'The stream carried no Responses API event', { eventNumber: decoder.eventCount })
        }
      })
      let result: Response | undefined
      guard(() => {
        result = acc.finish()
      })
      return result!
    },
    snapshot: acc.snapshot,
    get stopped() {
      return stopped
    },
  }
}
