import { DeltafoldError } from '../errors.js'

/**
 * The head of an input: what the stream parser looks at to tell an event stream from a JSON body
 * or something else, and quotes in the error when it is neither.
 */

/** Code units of the head kept for sniffing; the decision needs far fewer unless blank lines lead. */
export const HEAD_SIZE = 256
/** Code units quoted in an error message. */
const QUOTE_SIZE = 100

/**
 * What the head says the input is:
 * - `json`: its first non-whitespace character is `{` or `[` (an SSE line never starts so usefully).
 * - `sse`: its first non-blank line is a comment or a `data`, `event`, `id` or `retry` field.
 * - `text`: anything else (HTML, plain text, binary); it may still hold events further on.
 * - `undefined`: not enough of it yet (only blank lines, or a line cut before its field name ends).
 */
export type HeadKind = 'json' | 'sse' | 'text' | undefined

const FIELDS = ['data', 'event', 'id', 'retry']

/**
 * Reads the head of an input.
 *
 * @param text - the head, decoded (a cut character at its end is harmless)
 * @param complete - no more input follows: decide with what there is
 */
export function sniffHead(text: string, complete: boolean): HeadKind {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  // Blank lines dispatch nothing in SSE; the first non-blank line decides.
  while (i < text.length && (text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++
  let j = i
  while (j < text.length && isWhitespace(text.charCodeAt(j))) j++
  if (j === text.length) return complete ? 'sse' : undefined
  const first = text.charCodeAt(j)
  if (first === 123 /* { */ || first === 91 /* [ */) return 'json'
  if (text.charCodeAt(i) === 58 /* : */) return 'sse'
  for (const name of FIELDS) {
    const end = i + name.length
    if (text.length <= end) {
      // Cut inside or right after a possible field name: wait for more unless the input ended.
      // At the end, a cut field name (`da`: a connection dropped at byte 2) is a stream that was cut.
      if (name.startsWith(text.slice(i))) return complete ? 'sse' : undefined
      continue
    }
    if (!text.startsWith(name, i)) continue
    const next = text.charCodeAt(end)
    if (next === 58 || next === 10 || next === 13) return 'sse'
  }
  return 'text'
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13
}

/** Whether the head holds nothing but whitespace (and a BOM): an empty body as far as events go. */
export function isBlankHead(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!isWhitespace(c) && !(i === 0 && c === 0xfeff)) return false
  }
  return true
}

const fatal = /* @__PURE__ */ (() => {
  try {
    return new TextDecoder('utf-8', { fatal: true })
  } catch {
    return undefined
  }
})()

/**
 * Quotes the first ~100 units of an input for an error message: text as a JSON string literal
 * (control characters escaped), bytes that are not UTF-8 as `\xNN` escapes, `…` when cut.
 *
 * @param head - the first bytes or characters of the input
 */
export function quoteHead(head: Uint8Array | string): string {
  if (typeof head === 'string') return literal(head.slice(0, QUOTE_SIZE), head.length > QUOTE_SIZE)
  const bytes = head.subarray(0, QUOTE_SIZE)
  const cut = head.length > QUOTE_SIZE
  // A character cut by the quote's end (up to 3 bytes) is left out rather than turning the whole head into escapes.
  for (let trim = 0; trim <= 3 && trim < bytes.length && fatal !== undefined; trim++) {
    try {
      return literal(fatal.decode(bytes.subarray(0, bytes.length - trim)), cut || trim > 0)
    } catch {
      // Not UTF-8 (yet): try one byte shorter.
    }
  }
  let out = ''
  for (const byte of bytes) {
    out += byte >= 32 && byte < 127 && byte !== 34 && byte !== 92 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return `"${out}"${cut ? '…' : ''} (bytes)`
}

function literal(text: string, cut: boolean): string {
  // JSON.stringify escapes C0 controls, quotes and backslashes; DEL and C1 controls are escaped too.
  const quoted = JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return cut ? `${quoted}…` : quoted
}

/**
 * Collects the head of an input (at most {@link HEAD_SIZE} code units, bytes or characters as fed)
 * without holding on to the caller's chunks.
 */
export class HeadCollector {
  bytes: Uint8Array | undefined = undefined
  text = ''
  length = 0

  add(chunk: Uint8Array | string): void {
    const room = HEAD_SIZE - this.length
    if (room <= 0) return
    if (typeof chunk === 'string') {
      // Mixed input: bytes so far are decoded, the head is then text.
      if (this.bytes !== undefined) this.text = new TextDecoder().decode(this.bytes)
      this.bytes = undefined
      this.text += chunk.slice(0, room)
      this.length = this.text.length
      return
    }
    const piece = chunk.subarray(0, room)
    if (this.length > 0 && this.bytes === undefined) {
      this.text += new TextDecoder().decode(piece)
      this.length = this.text.length
      return
    }
    const next = new Uint8Array(this.length + piece.length)
    if (this.bytes !== undefined) next.set(this.bytes)
    next.set(piece, this.length)
    this.bytes = next
    this.length = next.length
  }

  /** The head as fed: bytes when only bytes were fed. */
  value(): Uint8Array | string {
    return this.bytes ?? this.text
  }

  /** The head as text, for sniffing (a character cut at its end is left out until it is whole). */
  decoded(): string {
    return this.bytes === undefined ? this.text : new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.bytes, { stream: true })
  }
}

/** The `not_event_stream` error for an input with no event, quoting its head. */
export function notEventStream(head: Uint8Array | string, why: string, cause?: unknown): DeltafoldError {
  const options: { eventNumber: number; byteOffset: number; cause?: unknown } = { eventNumber: 0, byteOffset: 0 }
  if (cause !== undefined) options.cause = cause
  return new DeltafoldError(
    'not_event_stream',
    `Expected a server-sent event stream (lines such as "data: {…}"), but ${why}; it starts with ${quoteHead(head)}`,
    options,
  )
}
