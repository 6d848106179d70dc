import { DeltafoldError } from '../../errors.js'
import { createSSEDecoder, type ServerSentEvent } from '../../sse/sse-decoder.js'
import {
  createAnthropicMessageAccumulator,
  type AnthropicMessageAccumulator,
  type AnthropicMessageAccumulatorOptions,
} from '../anthropic-message-accumulator.js'
import type { AnthropicMessage } from '../types.js'
import { clip, located, readAnthropicEvent } from './read-event.js'

/** Options of the bytes → Message pipeline. */
export interface AnthropicMessageStreamOptions extends AnthropicMessageAccumulatorOptions {
  /** Upper bound on one SSE event; see `SSEDecoderOptions.maxEventBytes`. @defaultValue 16 MiB */
  maxEventBytes?: number
  /** Aborts reading: the pipeline cancels the source and rejects with `signal.reason`. */
  signal?: AbortSignal
}

/** The synchronous bytes → Message pipeline behind the Anthropic entry points. */
export interface AnthropicStreamParser {
  /** Feeds the next bytes or text; ignored after `message_stop`. The first error stops the parser and is thrown again. */
  feed(chunk: Uint8Array | string): void
  /** Ends the input and returns the final message. */
  end(): AnthropicMessage
  snapshot(): AnthropicMessage
  /** `message_stop` arrived: the rest of the input can be left unread. */
  readonly done: boolean
}

/**
 * SSE decoder (dispatching an unterminated last event, as the recorded SDK fixtures need) → JSON →
 * accumulator. `event: error` is a `ProviderError` whatever its data; `event: ping` is skipped; an
 * event without an `event:` line is read by its data's `type` (the SDK drops such events). Every error
 * carries `partial` and the event number and byte offset where it happened.
 */
export function createAnthropicStreamParser(options: AnthropicMessageStreamOptions = {}): AnthropicStreamParser {
  const acc: AnthropicMessageAccumulator = createAnthropicMessageAccumulator(options)
  const decoderOptions: { dispatchUnterminated: boolean; maxEventBytes?: number } = { dispatchUnterminated: true }
  if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
  // The first characters of the input, quoted when it holds no event at all.
  let head = ''
  let comments = 0
  let failed = false
  let failure: unknown
  const decoder = createSSEDecoder(
    {
      onEvent(event) {
        if (!acc.done) onEvent(event)
      },
      onComment() {
        comments++
      },
    },
    decoderOptions,
  )

  function onEvent(event: ServerSentEvent): void {
    try {
      const value = readAnthropicEvent(event)
      if (value !== undefined) acc.push(value)
    } catch (error) {
      throw located(error, { eventNumber: decoder.eventCount, byteOffset: decoder.position() }, event.data)
    }
  }

  function stop(error: unknown): never {
    failed = true
    failure = error
    if (error instanceof DeltafoldError) error.partial ??= acc.snapshot()
    throw error
  }

  return {
    feed(chunk) {
      if (failed) throw failure
      if (acc.done) return
      if (head.length < 80)
        head += (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk.subarray(0, 80))).slice(0, 80 - head.length)
      try {
        decoder.feed(chunk)
      } catch (error) {
        stop(error)
      }
    },
    end() {
      if (failed) throw failure
      try {
        decoder.end()
        if (decoder.eventCount === 0 && comments === 0 && head.trim() !== '') {
          throw new DeltafoldError('not_event_stream', `The input holds no SSE event: it starts with ${clip(head)}`)
        }
        return acc.finish()
      } catch (error) {
        stop(error)
      }
    },
    snapshot: acc.snapshot,
    get done() {
      return acc.done
    },
  }
}
