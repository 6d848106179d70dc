// @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream (the grammar written here)
import { DeltafoldError } from '../errors.js'

/** One Server-Sent Event to write with {@link encodeSSE}: the fields a server sends. */
export interface SSEEventInit {
  /**
   * The payload. Every line break in it (CR, LF or CRLF) starts a new `data:` line; a decoder joins
   * the lines with LF, so CR and CRLF come back as LF.
   */
  data: string
  /** The `event:` field. Absent or `''` means the default type, `message`. Must not contain CR or LF. */
  type?: string
  /**
   * The `id:` field, which sets the decoder's last event ID (`''` resets it). Must not contain CR or LF,
   * nor NUL (decoders ignore an id holding NUL).
   */
  id?: string
  /** The `retry:` field: the reconnection time in milliseconds, a non-negative safe integer. */
  retry?: number
  /** A comment written before the fields; each of its lines becomes one `:` comment line. */
  comment?: string
}

// One match per line break as the WHATWG event stream grammar defines it: CRLF, lone CR, lone LF.
const LINE_BREAK = /\r\n|\r|\n/g
const CR_OR_LF = /[\r\n]/

/**
 * Writes one Server-Sent Event as text, so that any WHATWG-conformant decoder gives back exactly
 * `data`, `type`, `id` and `retry` (line breaks in `data` as LF). Every field value is written after
 * `field: ` with the space, because a decoder drops one leading space: `data:  x` keeps the value `" x"`.
 * The event ends with a blank line.
 *
 * Lone surrogates in the text become U+FFFD when the result is encoded as UTF-8.
 *
 * @param event - `data` plus optional `type`, `id`, `retry` and `comment`
 * @returns The event text, ending with `\n\n`
 * @throws DeltafoldError with code `invalid_event` for a line break in `type` or `id`, a NUL in `id`,
 *   or a `retry` that is not a non-negative safe integer; `TypeError` when a field has the wrong type
 * @example
 * ```ts
 * import { encodeSSE } from '@deltafold/core'
 * encodeSSE({ data: 'line 1\nline 2', type: 'note', id: '7' })
 * // 'event: note\nid: 7\ndata: line 1\ndata: line 2\n\n'
 * encodeSSE({ data: '{"a":1}', comment: 'keep-alive' }) // ': keep-alive\ndata: {"a":1}\n\n'
 * ```
 */
export function encodeSSE(event: SSEEventInit): string {
  if (typeof event !== 'object' || event === null) {
    throw new TypeError(`encodeSSE() expects an event object, got ${describe(event)}: encodeSSE({ data: 'text' })`)
  }
  const { data, type, id, retry, comment } = event
  if (typeof data !== 'string') {
    throw new TypeError(
      `encodeSSE() expects data to be a string, got ${describe(data)}: serialize objects first, as in { data: JSON.stringify(value) }`,
    )
  }
  let out = ''
  if (comment !== undefined) {
    if (typeof comment !== 'string') throw new TypeError(`encodeSSE() expects comment to be a string, got ${describe(comment)}`)
    // A line starting with a colon is a comment: each line of the text gets its own colon.
    out += ': ' + comment.replace(LINE_BREAK, '\n: ') + '\n'
  }
  if (type !== undefined) {
    if (typeof type !== 'string') throw new TypeError(`encodeSSE() expects type to be a string, got ${describe(type)}`)
    if (CR_OR_LF.test(type)) {
      throw new DeltafoldError('invalid_event', `SSE event type must not contain CR or LF: ${JSON.stringify(type)}`, { path: '$.type' })
    }
    // An empty `event:` field means `message`, the same as no field.
    if (type !== '') out += 'event: ' + type + '\n'
  }
  if (id !== undefined) {
    if (typeof id !== 'string') throw new TypeError(`encodeSSE() expects id to be a string, got ${describe(id)}`)
    if (CR_OR_LF.test(id) || id.indexOf('\0') !== -1) {
      // "If the field value does not contain U+0000 NULL, then set the last event ID buffer": a
      // decoder would silently keep the previous id.
      throw new DeltafoldError('invalid_event', `SSE event id must not contain CR, LF or NUL: ${JSON.stringify(id)}`, { path: '$.id' })
    }
    out += 'id: ' + id + '\n'
  }
  if (retry !== undefined) {
    // "If the field value consists of only ASCII digits": anything else is ignored by decoders.
    if (typeof retry !== 'number' || !Number.isSafeInteger(retry) || retry < 0) {
      throw new DeltafoldError('invalid_event', `SSE retry must be a non-negative safe integer: ${describe(retry)}`, { path: '$.retry' })
    }
    out += 'retry: ' + String(retry) + '\n'
  }
  return out + 'data: ' + data.replace(LINE_BREAK, '\ndata: ') + '\n\n'
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return Array.isArray(value) ? 'an array' : typeof value
}
