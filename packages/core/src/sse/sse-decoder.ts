// @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation (the WHATWG steps quoted below)
import { DeltafoldError } from '../errors.js'
import { call } from './internal/call-handler.js'
import { decodeUTF8, wholeCharacters } from './utf8-chunk-decoder.js'

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

/**
 * The object returned by {@link createSSEDecoder}. Its methods are not bound: call them on it
 * (`decoder.feed(chunk)`, or `(chunk) => decoder.feed(chunk)` as a callback).
 */
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
const REPLACEMENT = '\uFFFD'
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024
const CONCAT_DATA_LINES = 16
/** Bytes decoded at a time from one large chunk: the size of a network read. */
const WINDOW = 64 * 1024

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
  // One idle decoder kept for the life of the module: V8 frees an object shape (map) once no object
  // has it, and throws away optimized code that depends on a freed shape. Without it, every full GC
  // between short-lived streams dropped the decoder's optimized code and the next stream ran slow
  // until hot again: the chat-text body (20 MB) with a GC before each run took 15-17 ms instead of
  // 8 ms as strings, 36 ms instead of 28 ms as bytes.
  keepShape ??= new Decoder({ onEvent: ignore }, DEFAULT_MAX_EVENT_BYTES, false)
  return new Decoder(handlers, maxEventBytes, options.dispatchUnterminated === true)
}

let keepShape: Decoder | undefined
const ignore = (): void => {}

/**
 * The decoder state machine. A class rather than the closures STYLE.md prefers, for two measured
 * reasons (bench/ sse-decode and many-streams, Node 20):
 * - Speed: closures are new functions per decoder, and once a stream's decoder is gone a full GC
 *   drops their optimized code, so the next stream runs slow until hot again (the chat-text body as
 *   strings: 21-24 ms right after a GC instead of 9-10 ms). Methods live as long as the module.
 * - Memory: one object with in-object fields (~300 B) instead of 16 closures (64 B each), their
 *   context, a TextDecoder, and an API object with a getter, which V8 keeps in dictionary mode
 *   (592 B instead of 48 B): an idle decoder took 2,266 B.
 * Fields and helpers are `#private` so that bundlers can minify their names, as they do closure
 * variables (bundle-size.test.ts); the package targets ES2022, which has them natively. The methods
 * are not bound: called detached they throw a TypeError that says so.
 */
class Decoder implements SSEDecoder {
  // Handlers, read once at creation (later changes to the handlers object are not seen). They are
  // called as plain functions (`this` undefined), never as methods of the decoder.
  readonly #onEvent: (event: ServerSentEvent) => void
  readonly #onComment: ((text: string) => void) | undefined
  readonly #onRetry: ((ms: number) => void) | undefined
  readonly #maxEventBytes: number
  readonly #dispatchUnterminated: boolean
  // Fragments of the line not yet terminated, joined once when its terminator arrives (never
  // `buffer += chunk` then re-scan: that is quadratic on a long line arriving in small chunks).
  // Created on first use: a decoder fed whole events never needs it.
  #pending: string[] | undefined = undefined
  // Sum of the lengths in `pending`; every fragment is non-empty, so 0 means no pending line.
  #pendingLength = 0
  // The previous chunk ended in CR: a LF at the start of the next chunk belongs to that CRLF.
  #skipLF = false
  // No text has been seen yet, so a leading U+FEFF is the BOM to strip.
  #atStart = true
  // Data lines of the current event: the first CONCAT_DATA_LINES joined into `data` as they come
  // (fastest for the usual one to a few lines), later ones kept in `moreData` and joined once at
  // dispatch (concatenating every line builds a rope of two nodes per line: measured 3x slower on
  // 8 Mi `data: x` lines, and ~0.5 GB of rope under the default limit). `dataLines === 0` means the
  // data buffer is empty; `dataLength` is the length of the joined data, never above maxEventBytes.
  #data = ''
  #moreData: string[] | undefined = undefined
  #dataLines = 0
  #dataLength = 0
  // Event type buffer and last-event-ID buffer of the spec; the ID persists across events.
  #eventType = ''
  #lastEventIdBuffer = ''
  #lastEventId = ''
  #count = 0
  // end() was called: further feed() is misuse.
  #ended = false
  // A handler is running inside feed() or end(): calling back into the decoder is misuse.
  #busy = false
  // A limit error stopped the decoder: it refuses input until reset().
  #failure: DeltafoldError | undefined = undefined
  // Offsets count bytes for Uint8Array input and UTF-16 code units for strings. `inputLength` is
  // everything fed so far, `chunkOffset` where the current chunk starts.
  #inputLength = 0
  #chunkOffset = 0
  // Where the line that text index 0 of the current chunk belongs to begins (past the BOM for the
  // first line). Between feeds: where the unterminated line begins.
  #lineOffset = 0
  // The text being scanned, the bytes it was decoded from (undefined for string input), and where
  // the line being processed starts in it (0: the line began before this text, at `lineOffset`).
  #text = ''
  #textBytes: Uint8Array | undefined = undefined
  #lineStart = 0
  // position() maps text indexes to byte indexes lazily, by CR/LF count: text[0, mapText) and
  // bytes[0, mapByte) hold the same number of CR/LF and both end right after one (or are empty).
  // Sound because the UTF-8 decoder turns every CR/LF byte into that character, in the same chunk,
  // and never produces one otherwise; byte lengths of decoded text cannot be used instead, as
  // U+FFFD stands for 1 to 3 bytes. Amortized O(chunk) for all calls within one chunk.
  #mapText = 0
  #mapByte = 0
  // The bytes of a character cut by the end of the last byte chunk (1 to 3 bytes that start a valid
  // UTF-8 sequence, never CR or LF), decoded with the next chunk; undefined when the last chunk
  // ended on a character boundary (always, after string input, end() or reset()).
  #held: Uint8Array | undefined = undefined
  // The last byte chunk decoded to as many UTF-16 units as bytes (ASCII, as good as certain): the
  // next one goes to the decoder that is fastest on ASCII (see decodeUTF8). A guess that only
  // affects speed: the chat-text body made ASCII took 11.1 ms as bytes instead of 24.3 ms, the
  // body itself (134 ASCII chunks of 4,942) the same with or without the guess.
  #asciiHint = false

  constructor(handlers: SSEDecoderHandlers, maxEventBytes: number, dispatchUnterminated: boolean) {
    this.#onEvent = handlers.onEvent
    this.#onComment = handlers.onComment
    this.#onRetry = handlers.onRetry
    this.#maxEventBytes = maxEventBytes
    this.#dispatchUnterminated = dispatchUnterminated
  }

  get eventCount(): number {
    return this.#count
  }

  position(): number {
    const lineStart = this.#lineStart
    if (lineStart === 0) return this.#lineOffset
    const bytes = this.#textBytes
    if (bytes === undefined) return this.#chunkOffset + lineStart
    const text = this.#text
    let mapText = this.#mapText
    let mapByte = this.#mapByte
    if (lineStart < mapText) mapText = mapByte = 0
    while (mapText < lineStart) {
      let t = mapText
      for (let c = text.charCodeAt(t); c !== LF && c !== CR && t < text.length; c = text.charCodeAt(++t));
      let b = mapByte
      for (let c = bytes[b]; c !== LF && c !== CR && b < bytes.length; c = bytes[++b]);
      mapText = t + 1
      mapByte = b + 1
    }
    this.#mapText = mapText
    this.#mapByte = mapByte
    return this.#chunkOffset + mapByte
  }

  feed(chunk: Uint8Array | string): void {
    Decoder.#guard(this, 'feed')
    if (this.#ended) throw new TypeError('feed() was called after end(): create a new decoder or call reset() first')
    if (this.#failure) throw this.#failure
    if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) {
      throw new TypeError(
        `feed() expects a Uint8Array or a string, got ${chunk === null ? 'null' : typeof chunk}: pass the bytes of the response body or decoded text`,
      )
    }
    this.#busy = true
    try {
      if (typeof chunk === 'string') {
        this.#flushBytes()
        this.#scanText(chunk, undefined, chunk.length)
        return
      }
      const view = chunk as ArrayBufferView
      const bytes = view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
      if (bytes.length <= 2 * WINDOW) this.#feedBytes(bytes)
      else {
        // One large buffer (a file read whole, `await res.arrayBuffer()`) is decoded in windows of
        // network size: each window picks its UTF-8 decoder by the last one's result (see
        // decodeUTF8), where one call over the whole buffer would take the slower general decoder
        // for all of it, and position() maps offsets within one window. 8 MB of chat text in one
        // Uint8Array: 3.5x the time of 64 KiB pieces before, the same after (bench one-buffer).
        for (let start = 0; start < bytes.length; start += WINDOW) this.#feedBytes(bytes.subarray(start, start + WINDOW))
      }
    } finally {
      this.#leave()
    }
  }

  end(): void {
    Decoder.#guard(this, 'end')
    if (this.#failure) throw this.#failure
    if (this.#ended) return
    this.#ended = true
    this.#busy = true
    try {
      this.#flushBytes()
      // "Once the end of the file is reached, any pending data must be discarded": the unterminated
      // line is not a line, and the event lacks its blank line. The chat pipeline asks for both, as
      // a closed HTTP response must not lose the last chunk of a completion.
      if (this.#dispatchUnterminated && this.#pendingLength !== 0) this.#processLine(this.#takePending(''))
      this.#lineOffset = this.#inputLength
      if (this.#dispatchUnterminated && this.#dataLines > 0) this.#dispatch()
    } finally {
      this.#clearPending()
      this.#clearData()
      this.#leave()
    }
  }

  reset(): void {
    Decoder.#guard(this, 'reset')
    this.#held = undefined
    this.#asciiHint = false
    this.#clearPending()
    this.#skipLF = false
    this.#atStart = true
    this.#clearData()
    this.#eventType = ''
    this.#lastEventIdBuffer = ''
    this.#lastEventId = ''
    this.#count = 0
    this.#ended = false
    this.#failure = undefined
    this.#inputLength = 0
    this.#chunkOffset = 0
    this.#lineOffset = 0
    this.#leave()
  }

  static #guard(decoder: Decoder, method: string): void {
    if (!(decoder instanceof Decoder)) {
      throw new TypeError(`${method}() was called without its decoder: call it as decoder.${method}()`)
    }
    if (decoder.#busy) {
      throw new TypeError(`${method}() was called from inside an SSE decoder handler: call it after feed() or end() returns`)
    }
  }

  #leave(): void {
    this.#busy = false
    // Release the chunk: position() now reports `lineOffset`.
    this.#text = ''
    this.#textBytes = undefined
    this.#lineStart = 0
  }

  #fail(error: DeltafoldError): never {
    this.#failure = error
    this.#clearPending()
    this.#clearData()
    throw error
  }

  #tooLarge(size: number): never {
    this.#fail(
      new DeltafoldError(
        'event_too_large',
        `SSE event exceeds maxEventBytes (${this.#maxEventBytes}): ${size} buffered in event ${this.#count + 1}`,
        { eventNumber: this.#count + 1, byteOffset: this.position() },
      ),
    )
  }

  /** The pending fragments followed by `last`, joined once; the pending line is then empty. */
  #takePending(last: string): string {
    const pending = this.#pending!
    pending.push(last)
    const line = pending.join('')
    pending.length = 0
    this.#pendingLength = 0
    return line
  }

  #clearPending(): void {
    // Setting `length` is a runtime call even on an empty array: skip it when nothing is pending.
    if (this.#pendingLength !== 0) {
      this.#pending!.length = 0
      this.#pendingLength = 0
    }
  }

  #clearData(): void {
    if (this.#dataLines > CONCAT_DATA_LINES) this.#moreData!.length = 0
    this.#data = ''
    this.#dataLines = 0
    this.#dataLength = 0
  }

  #dispatch(): void {
    // "Set the last event ID string of the event source to the value of the last event ID buffer."
    const lastEventId = (this.#lastEventId = this.#lastEventIdBuffer)
    const dataLines = this.#dataLines
    const type = this.#eventType
    this.#eventType = ''
    // "If the data buffer is an empty string, set the data buffer and the event type buffer to
    // the empty string and return."
    if (dataLines === 0) return
    const data = dataLines <= CONCAT_DATA_LINES ? this.#data : this.#data + '\n' + this.#moreData!.join('\n')
    this.#clearData()
    this.#count++
    call(this.#onEvent, { type: type === '' ? 'message' : type, data, lastEventId })
  }

  #appendData(value: string): void {
    const dataLines = this.#dataLines
    if (dataLines === 0) {
      this.#data = value
      this.#dataLength = value.length
    } else {
      if (dataLines < CONCAT_DATA_LINES) this.#data = this.#data + '\n' + value
      else (this.#moreData ??= []).push(value)
      this.#dataLength += 1 + value.length
    }
    this.#dataLines = dataLines + 1
    if (this.#dataLength > this.#maxEventBytes) this.#tooLarge(this.#dataLength)
  }

  #processLine(line: string): void {
    const length = line.length
    if (length === 0) return this.#dispatch()
    const first = line.charCodeAt(0)
    if (first === COLON) {
      const onComment = this.#onComment
      if (onComment) call(onComment, line.charCodeAt(1) === SPACE ? line.slice(2) : line.slice(1))
      return
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
        return this.#appendData(value)
      case 'event':
        this.#eventType = value
        return
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer."
        if (value.indexOf('\0') === -1) this.#lastEventIdBuffer = value
        return
      case 'retry': {
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten"; otherwise ignore the field.
        const onRetry = this.#onRetry
        if (onRetry && value.length > 0 && isAsciiDigits(value)) call(onRetry, parseInt(value, 10))
        return
      }
      default:
        // Unknown fields (including `Data`, ` data`, `data\0`) are ignored.
        return
    }
  }

  #scanText(text: string, bytes: Uint8Array | undefined, length: number): void {
    this.#chunkOffset = this.#inputLength
    this.#inputLength += length
    this.#textBytes = bytes
    this.#mapText = this.#mapByte = 0
    this.#scan(text)
  }

  /** Turns an unfinished UTF-8 sequence into one U+FFFD (the spec's end-of-input error); it holds no CR/LF. */
  #flushBytes(): void {
    if (this.#held === undefined) return
    this.#held = undefined
    this.#scanText(REPLACEMENT, undefined, 0)
  }

  /**
   * Decodes a byte chunk exactly as one streaming `TextDecoder` over the whole input would, but
   * cuts it on character boundaries itself, so that the decoding is stateless (see decodeUTF8): the
   * bytes of a character cut by the end of the previous chunk are decoded with this one, and those
   * of a character cut by the end of this one are kept for the next.
   */
  #feedBytes(chunk: Uint8Array): void {
    let bytes = chunk
    const held = this.#held
    if (held !== undefined) {
      this.#held = undefined
      bytes = new Uint8Array(held.length + chunk.length)
      bytes.set(held)
      bytes.set(chunk, held.length)
    }
    const length = bytes.length
    const end = wholeCharacters(bytes)
    if (end < length) this.#held = bytes.slice(end)
    let text = ''
    if (end > 0) {
      text = decodeUTF8(end === length ? bytes : bytes.subarray(0, end), this.#asciiHint)
      this.#asciiHint = text.length === end
    }
    // Offsets are mapped on the chunk itself: held bytes are never CR/LF.
    this.#scanText(text, chunk, chunk.length)
  }

  #scan(chunk: string): void {
    let s = chunk
    if (this.#atStart && s.length > 0) {
      this.#atStart = false
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (s.charCodeAt(0) === BOM) {
        s = s.slice(1)
        // The BOM is not part of the first line; text indexes of a string chunk now start past it
        // (byte offsets are mapped on the raw bytes, which still hold it).
        if (this.#textBytes === undefined) {
          this.#lineOffset += 1
          this.#chunkOffset += 1
        } else this.#lineOffset += 3
      }
    }
    this.#text = s
    this.#lineStart = 0
    const length = s.length
    const maxEventBytes = this.#maxEventBytes
    let pos = 0
    if (this.#skipLF && length > 0) {
      this.#skipLF = false
      if (s.charCodeAt(0) === LF) pos = 1
    }
    // Next LF / CR at or after `pos`; -1 means none left in this chunk, so never searched again.
    let lf = s.indexOf('\n', pos)
    let cr = s.indexOf('\r', pos)
    // The first line began in an earlier chunk: its fragments are joined once, at its end.
    let pending = this.#pendingLength !== 0
    const onEvent = this.#onEvent
    for (;;) {
      if (lf !== -1 && lf < pos) lf = s.indexOf('\n', pos)
      if (cr !== -1 && cr < pos) cr = s.indexOf('\r', pos)
      const end = lf === -1 || (cr !== -1 && cr < lf) ? cr : lf
      if (end === -1) break
      const start = pos
      this.#lineStart = start
      let line: string | undefined
      if (pending) {
        pending = false
        line = this.#takePending(s.slice(start, end))
      }
      const size = line === undefined ? end - start : line.length
      if (size > maxEventBytes - this.#dataLength) this.#tooLarge(size + this.#dataLength)
      pos = end + 1
      if (end === cr) {
        if (pos < length) {
          if (s.charCodeAt(pos) === LF) pos++
        } else this.#skipLF = true
      }
      if (line !== undefined) this.#processLine(line)
      // A blank line: dispatch.
      else if (end === start) this.#dispatch()
      // `data:` compared code by code in place, without slicing the line first (the line end stops
      // a shorter line from matching), ~2x faster than indexOf(':') + a field switch.
      else if (
        s.charCodeAt(start) === 100 /* d */ &&
        s.charCodeAt(start + 4) === COLON &&
        s.charCodeAt(start + 1) === 97 /* a */ &&
        s.charCodeAt(start + 2) === 116 /* t */ &&
        s.charCodeAt(start + 3) === 97 /* a */
      ) {
        const value = s.slice(s.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end)
        if (this.#dataLines === 0 && end === lf && s.charCodeAt(pos) === LF) {
          // `data: …\n\n`, a whole one-line event: the value is the data, dispatched by the blank
          // line at `pos` without going through the data buffer (dispatch() inlined). The chat-text
          // body as strings: 7.6-7.7 ms instead of 8.1-10.0 ms.
          this.#lineStart = pos++
          const lastEventId = (this.#lastEventId = this.#lastEventIdBuffer)
          const type = this.#eventType
          this.#eventType = ''
          this.#count++
          call(onEvent, { type: type === '' ? 'message' : type, data: value, lastEventId })
        } else this.#appendData(value)
      } else this.#processLine(s.slice(start, end))
    }
    if (pos > 0) {
      // Every CR/LF of the chunk was consumed: the unterminated line starts after the last one.
      // Searched backwards over the unterminated tail only (lastIndexOf(CR) would scan the whole
      // chunk of a LF-only stream: 10% slower on 1,460-byte chunks).
      const bytes = this.#textBytes
      if (bytes === undefined) this.#lineOffset = this.#chunkOffset + pos
      else {
        let i = bytes.length - 1
        for (let c = bytes[i]; c !== LF && c !== CR && i >= 0; c = bytes[--i]);
        this.#lineOffset = this.#chunkOffset + i + 1
      }
    }
    this.#lineStart = 0
    if (pos < length) {
      const rest = pos === 0 ? s : s.slice(pos)
      ;(this.#pending ??= []).push(rest)
      this.#pendingLength += rest.length
      const size = this.#pendingLength + this.#dataLength
      if (size > maxEventBytes) this.#tooLarge(size)
    }
  }
}

function isAsciiDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}
