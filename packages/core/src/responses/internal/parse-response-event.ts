import { DeltafoldError, ProviderError } from '../../errors.js'
import type { ServerSentEvent } from '../../sse/sse-decoder.js'
import { ANTHROPIC_EVENT_TYPES } from '../../anthropic/internal/event-types.js'

/** Where an SSE event came from. */
export interface EventAt {
  eventNumber: number
  byteOffset?: number
}

/** What one SSE event of a Responses stream is: an event object, the `[DONE]` sentinel, or nothing. */
export type ParsedResponseEvent = { kind: 'event'; event: Record<string, unknown> } | { kind: 'done' } | { kind: 'skip' }

const SKIP: ParsedResponseEvent = { kind: 'skip' }
const DONE: ParsedResponseEvent = { kind: 'done' }

/**
 * Parses the `data:` of one SSE event of a Responses stream. Empty data is skipped and `[DONE]`
 * (openai-node's snapshots end with one) ends the stream. An event whose payload has no `type` takes
 * the SSE `event:` name. `event: error` with a payload that is not JSON is a {@link ProviderError}
 * holding the text; another non-JSON payload is `invalid_json`, a non-object `invalid_chunk`, and a
 * chat chunk or an Anthropic event `unsupported_format`.
 */
export function parseResponseEvent(sse: ServerSentEvent, at: EventAt): ParsedResponseEvent {
  const data = sse.data
  if (data === '') return SKIP
  if (data.length <= 10 && data.trim() === '[DONE]') return DONE
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch (cause) {
    if (sse.type === 'error') {
      throw new ProviderError('upstream_error', `The provider sent an error event (${where(at)}): ${clip(data)}`, data, { ...at, data })
    }
    throw new DeltafoldError('invalid_json', `Invalid JSON in ${where(at)}: ${clip(data)}`, { ...at, cause, data })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DeltafoldError('invalid_chunk', `The payload of ${where(at)} is not an event object: ${clip(data)}`, { ...at, data })
  }
  const event = value as Record<string, unknown>
  if (typeof event.type !== 'string') {
    if (event.object === 'chat.completion.chunk') {
      throw new DeltafoldError(
        'unsupported_format',
        `${where(at)} is a chat.completion.chunk, not a Responses API event: read it with accumulateChatCompletion`,
        { ...at, data },
      )
    }
    if (sse.type !== 'message') event.type = sse.type
  } else if (ANTHROPIC_EVENT_TYPES.has(event.type)) {
    throw new DeltafoldError(
      'unsupported_format',
      `${where(at)} is an Anthropic Messages event ("${event.type}"), not a Responses API event`,
      { ...at, data },
    )
  }
  return { kind: 'event', event }
}

function where(at: EventAt): string {
  return at.byteOffset === undefined ? `event ${at.eventNumber}` : `event ${at.eventNumber} at byte ${at.byteOffset}`
}

function clip(data: string): string {
  return data.length > 120 ? `${data.slice(0, 120)}…` : data
}
