import { DeltafoldError } from './errors.js'

/** One dispatched Server-Sent Event, with the fields of the browser's `MessageEvent`. */
export interface ServerSentEvent {
  /** The `event:` field, or `"message"` when none (or an empty one) was sent. */
  type: string
  /** The `data:` lines of the event joined with `\n`. */
  data: string
  /** The last event ID: the latest `id:` field, which persists across events until changed. */
  lastEventId: string
}

/**
 * Callbacks of {@link createSSEDecoder}. They run synchronously inside `feed()` and `end()`, and must
 * not call `feed()`, `end()` or `reset()` themselves. An exception thrown by a handler propagates out
 * of `feed()`/`end()`, and the rest of that chunk is not processed.
 */
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
   * Exceeding it throws a `DeltafoldError` with code `event_too_large`, whose `byteOffset` is where the
   * offending line starts; the decoder then refuses input until `reset()`.
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
  /**
   * Ends the input. An unterminated last line and an event without its blank line are discarded, as
   * the WHATWG rules say; with `dispatchUnterminated` the line is processed and the event dispatched.
   */
  end(): void
  /** Forgets all state (including the last event ID and a previous error) to start a new stream. */
  reset(): void
  /** Number of events dispatched so far. */
  readonly eventCount: number
  /**
   * Offset of the line being processed (bytes for `Uint8Array` input, UTF-16 code units for strings).
   * Inside `onEvent` it is the offset of the blank line that dispatched the event. Between calls it is
   * where the unterminated line begins; after `end()`, and in an event that `end()` dispatches, it is
   * the length of the input.
   */
  position(): number
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const BOM = 0xfeff
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024
const CONCAT_DATA_LINES = 16

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
  if (typeof maxEventBytes !== 'number' || !(maxEventBytes > 0)) {
    const got = typeof maxEventBytes === 'string' ? JSON.stringify(maxEventBytes) : String(maxEventBytes)
    throw new TypeError(`maxEventBytes must be a positive number, got ${got}: pass a byte count such as 16777216`)
  }
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
  // Data lines of the current event: the first CONCAT_DATA_LINES joined into `data` as they come
  // (fastest for the usual one to a few lines), later ones kept in `moreData` and joined once at
  // dispatch (concatenating every line builds a rope of two nodes per line: measured 3x slower on
  // 8 Mi `data: x` lines, and ~0.5 GB of rope under the default limit). `dataLines === 0` means the
  // data buffer is empty; `dataLength` is the length of the joined data.
  let data = ''
  const moreData: string[] = []
  let dataLines = 0
  let dataLength = 0
  // Event type buffer and last-event-ID buffer of the spec; the ID persists across events.
  let eventType = ''
  let lastEventIdBuffer = ''
  let lastEventId = ''
  let eventCount = 0
  // end() was called: further feed() is misuse.
  let ended = false
  // A handler is running inside feed() or end(): calling back into the decoder is misuse.
  let busy = false
  // A limit error stopped the decoder: it refuses input until reset().
  let failure: DeltafoldError | undefined
  // Offsets count bytes for Uint8Array input and UTF-16 code units for strings. `inputLength` is
  // everything fed so far, `chunkOffset` where the current chunk starts.
  let inputLength = 0
  let chunkOffset = 0
  // Where the line that text index 0 of the current chunk belongs to begins (past the BOM for the
  // first line). Between feeds: where the unterminated line begins.
  let lineOffset = 0
  // The text being scanned, the bytes it was decoded from (undefined for string input), and where
  // the line being processed starts in it (0: the line began before this chunk, at `lineOffset`).
  let text = ''
  let textBytes: Uint8Array | undefined
  let lineStart = 0
  // position() maps text indexes to byte indexes lazily, by CR/LF count: text[0, mapText) and
  // bytes[0, mapByte) hold the same number of CR/LF and both end right after one (or are empty).
  // Sound because the UTF-8 decoder turns every CR/LF byte into that character, in the same chunk,
  // and never produces one otherwise; byte lengths of decoded text cannot be used instead, as
  // U+FFFD stands for 1 to 3 bytes. Amortized O(chunk) for all calls within one chunk.
  let mapText = 0
  let mapByte = 0
  // The last feed() was bytes: the TextDecoder may hold the start of a split UTF-8 sequence.
  let textIsBytes = false

  function position(): number {
    if (lineStart === 0) return lineOffset
    if (textBytes === undefined) return chunkOffset + lineStart
    if (lineStart < mapText) mapText = mapByte = 0
    const bytes = textBytes
    while (mapText < lineStart) {
      let t = mapText
      for (let c = text.charCodeAt(t); c !== LF && c !== CR && t < text.length; c = text.charCodeAt(++t));
      let b = mapByte
      for (let c = bytes[b]; c !== LF && c !== CR && b < bytes.length; c = bytes[++b]);
      mapText = t + 1
      mapByte = b + 1
    }
    return chunkOffset + mapByte
  }

  function fail(error: DeltafoldError): never {
    failure = error
    pending.length = 0
    pendingLength = 0
    clearData()
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
    const joined = dataLines <= CONCAT_DATA_LINES ? data : data + '\n' + moreData.join('\n')
    const event: ServerSentEvent = { type: eventType === '' ? 'message' : eventType, data: joined, lastEventId }
    clearData()
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
    if (dataLines === 0) data = value
    else if (dataLines < CONCAT_DATA_LINES) data = data + '\n' + value
    else moreData.push(value)
    dataLength += dataLines === 0 ? value.length : 1 + value.length
    dataLines++
    if (dataLength > maxEventBytes) tooLarge(dataLength)
  }

  function clearData(): void {
    // Setting `length` is a runtime call even on an empty array: skip it when nothing was pushed.
    if (dataLines > CONCAT_DATA_LINES) moreData.length = 0
    data = ''
    dataLines = 0
    dataLength = 0
  }

  function scan(chunk: string): void {
    let s = chunk
    if (atStart && s.length > 0) {
      atStart = false
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (s.charCodeAt(0) === BOM) {
        s = s.slice(1)
        // The BOM is not part of the first line; text indexes of a string chunk now start past it
        // (byte offsets are mapped on the raw bytes, which still hold it).
        if (textBytes === undefined) {
          lineOffset += 1
          chunkOffset += 1
        } else lineOffset += 3
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
      if (line.length > maxEventBytes - dataLength) tooLarge(line.length + dataLength)
      pos = end + 1
      if (end === cr) {
        if (pos < length) {
          if (s.charCodeAt(pos) === LF) pos++
        } else skipLF = true
      }
      processLine(line)
    }
    if (pos > 0) {
      // Every CR/LF of the chunk was consumed: the unterminated line starts after the last one.
      // Searched backwards over the unterminated tail only (lastIndexOf(CR) would scan the whole
      // chunk of a LF-only stream: 10% slower on 1,460-byte chunks).
      if (textBytes === undefined) lineOffset = chunkOffset + pos
      else {
        let i = textBytes.length - 1
        for (let c = textBytes[i]; c !== LF && c !== CR && i >= 0; c = textBytes[--i]);
        lineOffset = chunkOffset + i + 1
      }
    }
    lineStart = 0
    if (pos < length) {
      const rest = pos === 0 ? s : s.slice(pos)
      pending.push(rest)
      pendingLength += rest.length
      const size = pendingLength + dataLength
      if (size > maxEventBytes) tooLarge(size)
    }
  }

  function guard(method: string): void {
    if (busy) {
      throw new TypeError(
        `${method}() was called from inside an SSE decoder handler: call it after feed() or end() returns`,
      )
    }
  }

  function leave(): void {
    busy = false
    // Release the chunk: position() now reports `lineOffset`.
    text = ''
    textBytes = undefined
    lineStart = 0
  }

  function scanText(chunk: string, bytes: Uint8Array | undefined, length: number): void {
    chunkOffset = inputLength
    inputLength += length
    textBytes = bytes
    mapText = mapByte = 0
    scan(chunk)
  }

  function flushBytes(): void {
    // An unfinished UTF-8 sequence becomes U+FFFD; it holds no CR/LF, so no byte mapping is needed.
    if (!textIsBytes || !textDecoder) return
    textIsBytes = false
    const rest = textDecoder.decode()
    if (rest) scanText(rest, undefined, 0)
  }

  function feed(chunk: Uint8Array | string): void {
    guard('feed')
    if (ended) throw new TypeError('feed() was called after end(): create a new decoder or call reset() first')
    if (failure) throw failure
    if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) {
      throw new TypeError(
        `feed() expects a Uint8Array or a string, got ${chunk === null ? 'null' : typeof chunk}: pass the bytes of the response body or decoded text`,
      )
    }
    busy = true
    try {
      if (typeof chunk === 'string') {
        flushBytes()
        scanText(chunk, undefined, chunk.length)
        return
      }
      const view = chunk as ArrayBufferView
      const bytes = view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
      textDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
      textIsBytes = true
      scanText(textDecoder.decode(bytes, { stream: true }), bytes, bytes.length)
    } finally {
      leave()
    }
  }

  function end(): void {
    guard('end')
    if (failure) throw failure
    if (ended) return
    ended = true
    busy = true
    try {
      flushBytes()
      // "Once the end of the file is reached, any pending data must be discarded": the unterminated
      // line is not a line, and the event lacks its blank line. The chat pipeline asks for both, as
      // a closed HTTP response must not lose the last chunk of a completion.
      if (dispatchUnterminated && pending.length > 0) {
        const line = pending.join('')
        pending.length = 0
        pendingLength = 0
        processLine(line)
      }
      lineOffset = inputLength
      if (dispatchUnterminated && dataLines > 0) dispatch()
    } finally {
      pending.length = 0
      pendingLength = 0
      clearData()
      leave()
    }
  }

  function reset(): void {
    guard('reset')
    textDecoder = undefined
    pending.length = 0
    pendingLength = 0
    skipLF = false
    atStart = true
    clearData()
    eventType = ''
    lastEventIdBuffer = ''
    lastEventId = ''
    eventCount = 0
    ended = false
    failure = undefined
    inputLength = 0
    chunkOffset = 0
    lineOffset = 0
    textIsBytes = false
    leave()
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
