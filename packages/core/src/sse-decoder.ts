import { DeltafoldError } from './errors.js'
import { utf8Length } from './internal/utf8-length.js'

/** One dispatched Server-Sent Event, with the fields of the browser's `MessageEvent`. */
export interface ServerSentEvent {
  /** The `event:` field, or `"message"` when none (or an empty one) was sent. */
  type: string
  /** The `data:` lines of the event joined with `\n`. */
  data: string
  /** The last event ID: the latest `id:` field, which persists across events until changed. */
  lastEventId: string
}

/** Callbacks of {@link createSSEDecoder}. They run synchronously inside `feed()` and `end()`. */
export interface SSEDecoderHandlers {
  /** Called for every dispatched event, in order. */
  onEvent(event: ServerSentEvent): void
  /** Called for every comment line (`:text`), with the text after the colon and one optional space. */
  onComment?(text: string): void
  /** Called for every valid `retry:` field (ASCII digits only), in milliseconds. */
  onRetry?(ms: number): void
}

/** Options of {@link createSSEDecoder}. */
export interface SSEDecoderOptions {
  /**
   * Upper bound on one event: the unterminated line plus the data lines buffered for the event, in
   * UTF-16 code units of decoded text (equal to bytes for ASCII, never more than the UTF-8 byte count).
   * Exceeding it throws a `DeltafoldError` with code `event_too_large`.
   * @defaultValue 16 MiB (16,777,216)
   */
  maxEventBytes?: number
  /**
   * Dispatch an event left unterminated at `end()` instead of discarding it as the WHATWG rules do.
   * The chat pipeline sets it: dropping the last chunk of a completion loses data.
   * @defaultValue false
   */
  dispatchUnterminated?: boolean
}

/** The object returned by {@link createSSEDecoder}. */
export interface SSEDecoder {
  /** Feeds the next piece of the stream: bytes (any split, even inside a UTF-8 sequence) or text. */
  feed(chunk: Uint8Array | string): void
  /** Ends the input: processes the last line and, with `dispatchUnterminated`, the last event. */
  end(): void
  /** Forgets all state (including the last event ID and a previous error) to start a new stream. */
  reset(): void
  /** Number of events dispatched so far. */
  readonly eventCount: number
  /**
   * Offset of the line being processed (bytes for `Uint8Array` input, UTF-16 code units for strings).
   * Inside `onEvent` it is the offset of the blank line that dispatched the event.
   */
  position(): number
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const BOM = 0xfeff
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024

/**
 * Creates an incremental Server-Sent Events decoder that follows the WHATWG HTML "event stream
 * interpretation" rules exactly: UTF-8 with one leading BOM stripped, CR/LF/CRLF line ends (also
 * split across chunks), comments, `data`/`event`/`id`/`retry` fields, and dispatch on a blank line.
 * Total work is linear in the input whatever its chunking.
 *
 * @param handlers - `onEvent` for events; optional `onComment` and `onRetry`
 * @param options - `maxEventBytes` and `dispatchUnterminated`
 * @example
 * ```ts
 * import { createSSEDecoder } from '@deltafold/core'
 * const events: string[] = []
 * const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
 * decoder.feed('data: hel')
 * decoder.feed(new TextEncoder().encode('lo\r'))
 * decoder.feed('\n\r\n')
 * decoder.end()
 * console.log(events) // ['hello']
 * ```
 */
export function createSSEDecoder(handlers: SSEDecoderHandlers, options: SSEDecoderOptions = {}): SSEDecoder {
  if (typeof handlers !== 'object' || handlers === null || typeof handlers.onEvent !== 'function') {
    throw new TypeError('createSSEDecoder() needs handlers with an onEvent function: createSSEDecoder({ onEvent(event) {} })')
  }
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
  if (!(maxEventBytes > 0)) throw new TypeError(`maxEventBytes must be a positive number, got ${String(maxEventBytes)}`)
  const dispatchUnterminated = options.dispatchUnterminated === true
  const { onEvent, onComment, onRetry } = handlers

  let textDecoder: TextDecoder | undefined
  // Fragments of the line not yet terminated, joined once when its terminator arrives (never
  // `buffer += chunk` then re-scan: that is quadratic on a long line arriving in small chunks).
  const pending: string[] = []
  // Sum of the lengths in `pending`.
  let pendingLength = 0
  // The previous chunk ended in CR: a LF at the start of the next chunk belongs to that CRLF.
  let skipLF = false
  // No text has been seen yet, so a leading U+FEFF is the BOM to strip.
  let atStart = true
  // Data lines of the current event; `dataLines === 0` means the data buffer is empty.
  let data = ''
  let dataLines = 0
  // Event type buffer and last-event-ID buffer of the spec; the ID persists across events.
  let eventType = ''
  let lastEventIdBuffer = ''
  let lastEventId = ''
  let eventCount = 0
  // end() was called: further feed() is misuse.
  let ended = false
  // A limit error stopped the decoder: it refuses input until reset().
  let failure: DeltafoldError | undefined
  // Position bookkeeping, computed lazily by position(): offset of `text` in the input, the text
  // being scanned, where the current line starts in it, and bytes a split UTF-8 sequence carried in.
  let textOffset = 0
  let nextOffset = 0
  let text = ''
  let lineStart = 0
  let textIsBytes = false
  let carryIn = 0
  let carryBytes: number[] = []

  function position(): number {
    if (!textIsBytes) return textOffset + lineStart
    return textOffset - carryIn + utf8Length(text, 0, lineStart)
  }

  function fail(error: DeltafoldError): never {
    failure = error
    pending.length = 0
    pendingLength = 0
    data = ''
    dataLines = 0
    throw error
  }

  function tooLarge(size: number): never {
    fail(
      new DeltafoldError(
        'event_too_large',
        `SSE event exceeds maxEventBytes (${maxEventBytes}): ${size} buffered in event ${eventCount + 1}`,
        { eventNumber: eventCount + 1, byteOffset: position() },
      ),
    )
  }

  function dispatch(): void {
    // "Set the last event ID string of the event source to the value of the last event ID buffer."
    lastEventId = lastEventIdBuffer
    if (dataLines === 0) {
      // "If the data buffer is an empty string, set the data buffer and the event type buffer to
      // the empty string and return."
      eventType = ''
      return
    }
    const event: ServerSentEvent = { type: eventType === '' ? 'message' : eventType, data, lastEventId }
    data = ''
    dataLines = 0
    eventType = ''
    eventCount++
    onEvent(event)
  }

  function processLine(line: string): void {
    const length = line.length
    if (length === 0) return dispatch()
    const first = line.charCodeAt(0)
    if (first === COLON) {
      if (onComment) onComment(line.charCodeAt(1) === SPACE ? line.slice(2) : line.slice(1))
      return
    }
    // Hot path: `data:` compared code by code, ~2x faster than indexOf(':') + a field switch.
    if (
      first === 100 /* d */ &&
      length >= 5 &&
      line.charCodeAt(4) === COLON &&
      line.charCodeAt(1) === 97 /* a */ &&
      line.charCodeAt(2) === 116 /* t */ &&
      line.charCodeAt(3) === 97 /* a */
    ) {
      return appendData(line.charCodeAt(5) === SPACE ? line.slice(6) : line.slice(5))
    }
    const colon = line.indexOf(':')
    // "If the line contains a U+003A COLON character": field before it, value after it minus one
    // leading space. "Otherwise, the string is not empty but does not contain a U+003A COLON
    // character": the whole line is the field name and the value is the empty string.
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ''
    } else {
      field = line.slice(0, colon)
      value = line.charCodeAt(colon + 1) === SPACE ? line.slice(colon + 2) : line.slice(colon + 1)
    }
    switch (field) {
      case 'data':
        return appendData(value)
      case 'event':
        eventType = value
        return
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer."
        if (value.indexOf('\0') === -1) lastEventIdBuffer = value
        return
      case 'retry':
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten"; otherwise ignore the field.
        if (onRetry && value.length > 0 && isAsciiDigits(value)) onRetry(parseInt(value, 10))
        return
      default:
        // Unknown fields (including `Data`, ` data`, `data\0`) are ignored.
        return
    }
  }

  function appendData(value: string): void {
    data = dataLines === 0 ? value : data + '\n' + value
    dataLines++
    if (data.length > maxEventBytes) tooLarge(data.length)
  }

  function scan(chunk: string): void {
    let s = chunk
    if (atStart && s.length > 0) {
      atStart = false
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (s.charCodeAt(0) === BOM) {
        s = s.slice(1)
        textOffset += textIsBytes ? 3 : 1
      }
    }
    text = s
    lineStart = 0
    const length = s.length
    let pos = 0
    if (skipLF && length > 0) {
      skipLF = false
      if (s.charCodeAt(0) === LF) pos = 1
    }
    // Next LF / CR at or after `pos`; -1 means none left in this chunk, so never searched again.
    let lf = s.indexOf('\n', pos)
    let cr = s.indexOf('\r', pos)
    while (pos < length) {
      if (lf !== -1 && lf < pos) lf = s.indexOf('\n', pos)
      if (cr !== -1 && cr < pos) cr = s.indexOf('\r', pos)
      let end: number
      if (lf === -1) {
        if (cr === -1) break
        end = cr
      } else end = cr !== -1 && cr < lf ? cr : lf
      let line: string
      if (pendingLength === 0 && pending.length === 0) line = s.slice(pos, end)
      else {
        pending.push(s.slice(pos, end))
        line = pending.join('')
        pending.length = 0
        pendingLength = 0
      }
      lineStart = pos
      if (line.length > maxEventBytes - (dataLines === 0 ? 0 : data.length)) {
        tooLarge(line.length + (dataLines === 0 ? 0 : data.length))
      }
      pos = end + 1
      if (end === cr) {
        if (pos < length) {
          if (s.charCodeAt(pos) === LF) pos++
        } else skipLF = true
      }
      processLine(line)
    }
    lineStart = pos
    if (pos < length) {
      const rest = pos === 0 ? s : s.slice(pos)
      pending.push(rest)
      pendingLength += rest.length
      const size = pendingLength + (dataLines === 0 ? 0 : data.length)
      if (size > maxEventBytes) tooLarge(size)
    }
  }

  function trackCarry(bytes: Uint8Array): void {
    // How many trailing bytes of an unfinished UTF-8 sequence the TextDecoder holds back, so that
    // position() can map text offsets to byte offsets. O(1) per chunk.
    const tail = bytes.length >= 3 ? [] : carryBytes
    for (let i = Math.max(0, bytes.length - 3); i < bytes.length; i++) tail.push(bytes[i]!)
    const last = tail.slice(-3)
    let held = 0
    for (let i = last.length - 1; i >= 0; i--) {
      const b = last[i]!
      if ((b & 0xc0) === 0x80) continue
      const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 1
      const have = last.length - i
      held = need > have ? have : 0
      break
    }
    carryBytes = last.slice(last.length - held)
  }

  function feed(chunk: Uint8Array | string): void {
    if (ended) throw new TypeError('feed() was called after end(): create a new decoder or call reset() first')
    if (failure) throw failure
    if (typeof chunk === 'string') {
      if (textIsBytes && textDecoder) {
        // Switching from bytes to text: an unfinished UTF-8 sequence becomes U+FFFD.
        const rest = textDecoder.decode()
        carryBytes = []
        if (rest) {
          textOffset = nextOffset
          scan(rest)
        }
      }
      textIsBytes = false
      carryIn = 0
      textOffset = nextOffset
      nextOffset += chunk.length
      scan(chunk)
      return
    }
    if (!ArrayBuffer.isView(chunk)) {
      throw new TypeError(
        `feed() expects a Uint8Array or a string, got ${chunk === null ? 'null' : typeof chunk}: pass the bytes of the response body or decoded text`,
      )
    }
    const view = chunk as ArrayBufferView
    const bytes = view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    textDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
    textIsBytes = true
    carryIn = carryBytes.length
    textOffset = nextOffset
    nextOffset += bytes.length
    trackCarry(bytes)
    scan(textDecoder.decode(bytes, { stream: true }))
  }

  function end(): void {
    if (ended) return
    if (failure) throw failure
    ended = true
    if (textDecoder && textIsBytes) {
      const rest = textDecoder.decode()
      if (rest) {
        carryIn = carryBytes.length
        textOffset = nextOffset
        scan(rest)
      }
    }
    textIsBytes = false
    textOffset = nextOffset
    text = ''
    lineStart = 0
    if (pending.length > 0) {
      const line = pending.join('')
      pending.length = 0
      pendingLength = 0
      processLine(line)
    }
    // "Once the end of the file is reached, any pending data must be discarded" unless asked to
    // dispatch it (a closed HTTP response must not lose the last chunk of a completion).
    if (dispatchUnterminated && dataLines > 0) dispatch()
    data = ''
    dataLines = 0
  }

  function reset(): void {
    textDecoder = undefined
    pending.length = 0
    pendingLength = 0
    skipLF = false
    atStart = true
    data = ''
    dataLines = 0
    eventType = ''
    lastEventIdBuffer = ''
    lastEventId = ''
    eventCount = 0
    ended = false
    failure = undefined
    textOffset = 0
    nextOffset = 0
    text = ''
    lineStart = 0
    textIsBytes = false
    carryIn = 0
    carryBytes = []
  }

  return {
    feed,
    end,
    reset,
    position,
    get eventCount() {
      return eventCount
    },
  }
}

function isAsciiDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}
