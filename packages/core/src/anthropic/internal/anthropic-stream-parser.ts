import { DeltafoldError, ProviderError } from '../../errors.js'
import { createSSEDecoder, type ServerSentEvent } from '../../sse/sse-decoder.js'
import {
  createAnthropicMessageAccumulator,
  type AnthropicMessageAccumulator,
  type AnthropicMessageAccumulatorOptions,
} from '../anthropic-message-accumulator.js'
import type { AnthropicMessage } from '../types.js'
import { describe } from './json-values.js'

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
    const position = { eventNumber: decoder.eventCount, byteOffset: decoder.position() }
    const data = event.data
    if (event.type === 'error') throw errorEvent(data, position)
    if (event.type === 'ping' || data === '') return
    let value: unknown
    try {
      value = JSON.parse(data)
    } catch (cause) {
      throw new DeltafoldError('invalid_json', `Invalid JSON in ${where(position)}: ${clip(data)}`, { ...position, cause, data })
    }
    try {
      acc.push(value as object)
    } catch (error) {
      if (error instanceof DeltafoldError && error.eventNumber === undefined) {
        error.eventNumber = position.eventNumber
        error.byteOffset = position.byteOffset
        error.data ??= data
        error.message += ` (event ${position.eventNumber}, byte ${position.byteOffset})`
      }
      throw error
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
      if (head.length < 80) head += (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk.subarray(0, 80))).slice(0, 80 - head.length)
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

/** `event: error` ends the stream whatever its data: `{"type":"error","error":{…}}`, a bare object, or text. */
function errorEvent(data: string, position: { eventNumber: number; byteOffset: number }): ProviderError {
  let error: unknown = data
  try {
    const value: unknown = JSON.parse(data)
    error = typeof value === 'object' && value !== null && !Array.isArray(value) && 'error' in value ? (value as { error: unknown }).error : value
  } catch {
    // Not JSON: the text itself is the error.
  }
  const kind = typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string' ? ` (${(error as { type: string }).type})` : ''
  const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
    ? (error as { message: string }).message
    : typeof error === 'string' ? clip(error) : describe(error)
  return new ProviderError('upstream_error', `The provider sent an error event${kind}: ${message === '""' ? 'no details' : message}`, error, { ...position, data })
}

function where(position: { eventNumber: number; byteOffset: number }): string {
  return `event ${position.eventNumber} at byte ${position.byteOffset}`
}

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text)
}
