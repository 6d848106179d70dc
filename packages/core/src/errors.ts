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
 * - `stream_failed`: reading the byte source failed (the original error is the `cause`).
 * - `aborted`: the `AbortSignal` fired (the signal's reason is the `cause`).
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

  constructor(
    code: 'upstream_error' | 'http_error',
    message: string,
    error: unknown,
    options: DeltafoldErrorOptions<Partial> & { status?: number } = {},
  ) {
    super(code, message, options)
    this.error = error
    if (options.status !== undefined) this.status = options.status
  }
}

const NAMES = new Set(['DeltafoldError', 'ProviderError'])

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
export function isDeltafoldError(value: unknown): value is DeltafoldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    NAMES.has((value as { name?: unknown }).name as string) &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}
