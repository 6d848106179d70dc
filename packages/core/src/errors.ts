/**
 * Every failure deltafold reports is a {@link DeltafoldError} with one of these codes.
 *
 * - `event_too_large`: an SSE event (its unterminated line plus buffered data) passed `maxEventBytes`.
 * - `invalid_json`: a `data:` payload (or a document given to the partial-JSON parser) is not JSON.
 * - `invalid_chunk`: a payload parsed but is not a `chat.completion.chunk` object.
 * - `invalid_type`: a known field has the wrong type (`content: 5`, `arguments: 5`).
 * - `invalid_index`: a choice or tool-call `index` is not a non-negative safe integer below its limit.
 * - `index_conflict`: (strict mode) a tool-call index was reused by a call with a different id.
 * - `limit_exceeded`: a configured limit (choices, tool calls, stream bytes, parser bytes) was passed.
 * - `max_depth`: a value nests deeper than the configured depth.
 * - `upstream_error`: the provider sent an error payload ({@link ProviderError}).
 * - `http_error`: a non-2xx response or a non-event-stream body ({@link ProviderError}).
 * - `stream_failed`: reading the byte source failed (the original error is the `cause`); it carries
 *   the number and offset of the last complete event.
 * - `aborted`: the stream was stopped: a primitive or frozen `signal.reason` (the reason is the
 *   `cause`; an object reason is passed through as it is), `break` or `cancel()` by the consumer, or
 *   an abort that reached the body read through `fetch`'s own signal (its `AbortError` is the `cause`).
 * - `unexpected_eof`: (strict mode) the stream ended before every choice finished.
 * - `invalid_event`: an SSE event given to the encoder cannot be written faithfully (a line break in
 *   `type` or `id`, a NUL in `id`, a `retry` that is not a non-negative safe integer).
 * - `not_event_stream`: the input holds no SSE event at all (text, HTML, binary); the message quotes its head.
 * - `empty_stream`: zero bytes, or events that carried no chunk (only comments, only `[DONE]`).
 * - `not_streamed`: (strict mode) the body is a complete non-streamed JSON completion.
 * - `body_unreadable`: a `Response` whose body was already read (`bodyUsed`) or is locked.
 * - `unsupported_format`: the stream is of another wire format than the one asked for (a legacy
 *   `text_completion` stream in chat mode, an Anthropic stream given as Responses…).
 * - `unexpected_event`: an event out of its format's order (a second message starting while one is open).
 */
export type DeltafoldErrorCode =
  | 'event_too_large'
  | 'invalid_json'
  | 'invalid_chunk'
  | 'invalid_type'
  | 'invalid_index'
  | 'index_conflict'
  | 'limit_exceeded'
  | 'max_depth'
  | 'upstream_error'
  | 'http_error'
  | 'stream_failed'
  | 'aborted'
  | 'unexpected_eof'
  | 'invalid_event'
  | 'not_event_stream'
  | 'empty_stream'
  | 'not_streamed'
  | 'body_unreadable'
  | 'unsupported_format'
  | 'unexpected_event'

import type { ChatCompletion } from './chat/types.js'

/** Where in the input an error happened. Every field is optional: each layer fills in what it knows. */
export interface DeltafoldErrorPosition {
  /** 1-based number of the SSE event being processed (comments and retry lines are not events). */
  eventNumber?: number
  /** Offset in the input where the error was detected: bytes for `Uint8Array` input, UTF-16 code units for string input. */
  byteOffset?: number
  /** JSON path of the offending value, such as `$.choices[0].delta.tool_calls[1].index`. */
  path?: string
}

/** Options of {@link DeltafoldError}. */
export interface DeltafoldErrorOptions<Partial = unknown> extends DeltafoldErrorPosition {
  cause?: unknown
  /** Everything received before the failure, as a snapshot (a `ChatCompletion` in the chat pipeline). */
  partial?: Partial
  /** The raw `data:` text of the event that failed, when there is one. */
  data?: string
}

/**
 * Base class of every error deltafold throws for bad input, limits, aborts and provider errors.
 *
 * @example
 * ```ts
 * import { accumulateChatCompletion, isDeltafoldError } from '@deltafold/core'
 * try {
 *   await accumulateChatCompletion(['data: {oops}\n\n'])
 * } catch (e) {
 *   if (isDeltafoldError(e)) console.log(e.code, e.eventNumber, e.partial) // 'invalid_json' 1 {...}
 * }
 * ```
 */
export class DeltafoldError<Partial = unknown> extends Error {
  override name: string = 'DeltafoldError'
  readonly code: DeltafoldErrorCode
  eventNumber?: number
  byteOffset?: number
  path?: string
  data?: string
  /** The snapshot of everything received before the failure (set by the pipeline that owns it). */
  partial?: Partial

  constructor(code: DeltafoldErrorCode, message: string, options: DeltafoldErrorOptions<Partial> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.eventNumber !== undefined) this.eventNumber = options.eventNumber
    if (options.byteOffset !== undefined) this.byteOffset = options.byteOffset
    if (options.path !== undefined) this.path = options.path
    if (options.data !== undefined) this.data = options.data
    if (options.partial !== undefined) this.partial = options.partial
  }
}

/**
 * The provider reported an error: a `data: {"error": …}` payload, an `event: error`, or (from the
 * adapters) a non-2xx HTTP response. `error` holds the provider's whole error object, untouched.
 *
 * @example
 * ```ts
 * import { accumulateChatCompletion, ProviderError } from '@deltafold/core'
 * const body = 'data: {"error":{"message":"quota","code":429}}\n\n'
 * await accumulateChatCompletion([body]).catch((e) => e instanceof ProviderError && e.error) // { message: 'quota', code: 429 }
 * ```
 */
export class ProviderError<Partial = unknown> extends DeltafoldError<Partial> {
  override name: string = 'ProviderError'
  /** The provider's error object (or the response body for HTTP failures). */
  readonly error: unknown
  /** HTTP status, for `http_error`. */
  status?: number
  /**
   * The response headers (lower-case names), when the error came from a `Response`: `x-request-id`,
   * `retry-after` and the rate-limit headers are what a caller logs or waits on.
   */
  headers?: Record<string, string>

  constructor(
    code: 'upstream_error' | 'http_error',
    message: string,
    error: unknown,
    options: DeltafoldErrorOptions<Partial> & { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(code, message, options)
    this.error = error
    if (options.status !== undefined) this.status = options.status
    if (options.headers !== undefined) this.headers = options.headers
  }
}

const NAMES = new Set(['DeltafoldError', 'ProviderError'])

/**
 * Tells whether a rejection carries the partial completion: every error of a chat pipeline does,
 * including an abort reason that was passed through (an `Error` or `DOMException` given to
 * `controller.abort()`, which gets `partial` as a non-enumerable property). The one abort contract:
 * whatever stopped the stream (a signal, `break`, `cancel()`, an abort reaching the body read
 * through `fetch`), the rejection has `partial`; a primitive or frozen abort reason is wrapped in a
 * `DeltafoldError` with code `aborted` and the reason as `cause`.
 *
 * @param value - anything caught
 * @example
 * ```ts
 * import { accumulateChatCompletion, hasPartial } from '@deltafold/core'
 * const controller = new AbortController()
 * controller.abort(new Error('user left'))
 * const error = await accumulateChatCompletion(['data: {}\n\n'], { signal: controller.signal }).catch((e: unknown) => e)
 * if (hasPartial(error)) console.log(error.partial.choices) // []
 * ```
 */
export function hasPartial(value: unknown): value is { partial: ChatCompletion } {
  if (typeof value !== 'object' || value === null) return false
  const partial = (value as { partial?: unknown }).partial
  return typeof partial === 'object' && partial !== null && Array.isArray((partial as { choices?: unknown }).choices)
}

/**
 * Tells whether `value` is a {@link DeltafoldError} (including {@link ProviderError}). Checks the
 * `name` and `code`, so it also works on errors from another realm or another copy of the package.
 *
 * @param value - anything caught
 * @example
 * ```ts
 * import { isDeltafoldError } from '@deltafold/core'
 * isDeltafoldError(new Error('x')) // false
 * ```
 */
export function isDeltafoldError(value: unknown): value is DeltafoldError<ChatCompletion> {
  return (
    typeof value === 'object' &&
    value !== null &&
    NAMES.has((value as { name?: unknown }).name as string) &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}
