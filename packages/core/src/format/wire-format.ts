/**
 * The three streaming wire formats and how a stream says which one it is: the `format` option of the
 * chat pipeline and of the normalize engine reads this module to pick (or check) the translator that
 * turns a stream's events into chat chunks before the chat fold.
 */
import { createAnthropicChatChunkTranslator } from '../anthropic/anthropic-chat-chunk-translator.js'
import type { ChatChunkTranslator } from '../chat/chat-chunk-translator.js'
import { DeltafoldError } from '../errors.js'
import { createResponseChatChunkTranslator } from '../responses/response-chat-chunk-translator.js'
import type { ServerSentEvent } from '../sse/sse-decoder.js'
import { ANTHROPIC_EVENT_TYPES } from '../anthropic/internal/event-types.js'

/**
 * A streaming wire format: OpenAI-compatible `chat.completion.chunk`s (`'chat'`), the OpenAI
 * Responses API (`event: response.*`, `'responses'`), or Anthropic Messages (`message_start`,
 * `content_block_delta`, …, `'anthropic'`).
 */
export type WireFormat = 'chat' | 'responses' | 'anthropic'

/**
 * The `format` option of the chat pipeline and the normalize engine: one of the {@link WireFormat}s,
 * `'completions'` (legacy `text_completion` chunks, folded into a `text_completion`; the pipeline only),
 * or `'auto'` (decided from the first event, see {@link detectWireFormat}).
 */
export type StreamFormat = WireFormat | 'completions' | 'auto'

const NAMES: Record<StreamFormat, string> = {
  chat: 'chat.completion.chunk',
  completions: 'legacy text_completion',
  responses: 'OpenAI Responses',
  anthropic: 'Anthropic Messages',
  auto: 'auto',
}

/**
 * Says which wire format a stream is in from one of its SSE events (the first, in the pipelines):
 * an SSE `event:` name `response.*` is Responses, `message_start`, `content_block_*`, `message_delta`,
 * `message_stop` or `ping` is Anthropic; else the data's `type` field decides the same way (for streams
 * sent without `event:` lines), and any other JSON object is a chat chunk. An event that cannot tell
 * (empty data, `[DONE]`, text that is not a JSON object) gives `undefined`: ask the next one. An error
 * event tells only by its shape: Anthropic's `{"type":"error","error":{…}}`, Responses'
 * `{"type":"error","message":…}`.
 *
 * @param event - a decoded SSE event
 * @returns the event's wire format, or `undefined` when it cannot tell
 * @example
 * ```ts
 * import { detectWireFormat } from '@deltafold/core'
 * detectWireFormat({ type: 'message_start', data: '{"type":"message_start","message":{}}', lastEventId: '' }) // 'anthropic'
 * detectWireFormat({ type: 'message', data: '{"type":"response.created","response":{}}', lastEventId: '' }) // 'responses'
 * detectWireFormat({ type: 'message', data: '{"choices":[]}', lastEventId: '' }) // 'chat'
 * detectWireFormat({ type: 'message', data: '[DONE]', lastEventId: '' }) // undefined
 * ```
 */
export function detectWireFormat(event: ServerSentEvent): WireFormat | undefined {
  const name = event.type
  if (name.startsWith('response.')) return 'responses'
  if (ANTHROPIC_EVENT_TYPES.has(name)) return 'anthropic'
  const data = event.data
  // A chat chunk is the common case: no `"type"` at all needs no parse (one in a tool call is parsed).
  if (data.charCodeAt(0) !== 0x7b /* { */) return undefined
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const type = (value as { type?: unknown }).type
  if (typeof type === 'string') {
    if (type.startsWith('response.')) return 'responses'
    if (ANTHROPIC_EVENT_TYPES.has(type)) return 'anthropic'
    if (type === 'error') {
      const error = (value as { error?: unknown }).error
      if (typeof error === 'object' && error !== null) return 'anthropic'
      if (typeof (value as { message?: unknown }).message === 'string') return 'responses'
    }
  }
  return 'chat'
}

/**
 * Whether an event is an error report (`event: error`, or data whose `type` is `"error"`): each format
 * raises its own `ProviderError` for one, so it never counts as a format mismatch.
 */
function isErrorEvent(event: ServerSentEvent): boolean {
  return event.type === 'error' || /^\{\s*"type"\s*:\s*"error"/.test(event.data)
}

/**
 * Reads a `format` option, throwing a `TypeError` that says how to fix a bad one.
 *
 * @param format - the option's value
 * @param allowed - the formats the caller supports
 * @internal
 */
export function readFormat(format: unknown, allowed: readonly StreamFormat[]): StreamFormat {
  if (format === undefined) return 'chat'
  if (typeof format === 'string' && (allowed as readonly string[]).includes(format)) return format as StreamFormat
  const shown = typeof format === 'string' ? JSON.stringify(format) : typeof format
  throw new TypeError(`options.format must be ${allowed.map((f) => `'${f}'`).join(', ')}, got ${shown}: leave it out for 'chat'`)
}

/**
 * The translator of a wire format other than chat, with its default limits.
 *
 * @internal
 */
export function createWireTranslator(format: 'responses' | 'anthropic'): ChatChunkTranslator {
  return format === 'responses' ? createResponseChatChunkTranslator() : createAnthropicChatChunkTranslator()
}

/**
 * The first-event decision of the `format` option, shared by the stream parser and the normalize
 * engine (a function over the pending format string, so an idle parser holds no gate object).
 * `'auto'`: once an event tells the format, the translator to use (`null` for chat). An explicit
 * format: the stream's first telling event must be of that format (`null`), else `unsupported_format`
 * naming both.
 *
 * @param expected - the `format` option
 * @param event - an event while the format is undecided
 * @param position - where the event is, for the error
 * @returns `undefined` while undecided, then `null` or the translator `'auto'` chose
 * @internal
 */
export function decideFormat(
  expected: StreamFormat,
  event: ServerSentEvent,
  position: { eventNumber: number; byteOffset?: number },
): ChatChunkTranslator | null | undefined {
  if (expected !== 'auto' && isErrorEvent(event)) return undefined
  const found = detectWireFormat(event)
  if (found === undefined) return undefined
  if (expected === 'auto') return found === 'chat' ? null : createWireTranslator(found)
  const wanted = expected === 'completions' ? 'chat' : expected
  if (found === wanted) return null
  // The position ends the message as the pipelines' other errors have it (the CLI says it once).
  const where =
    position.byteOffset === undefined ? `event ${position.eventNumber}` : `event ${position.eventNumber}, byte ${position.byteOffset}`
  throw new DeltafoldError(
    'unsupported_format',
    `The stream is in the ${NAMES[found]} format, not the ${NAMES[expected]} format asked for: pass format: '${found}' or 'auto' (${where})`,
    { ...position, path: '$.type', data: event.data },
  )
}
