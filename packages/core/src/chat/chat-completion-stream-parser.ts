import {
  createAccumulatorState,
  finishChunks,
  pushChunk,
  pushFast,
  takeSnapshot,
  type AccumulatorState,
  type ChatCompletionAccumulatorOptions,
} from './chat-completion-accumulator.js'
import { DeltafoldError } from '../errors.js'
import { parseChunkEvent, splitDataLines, type ChunkEventResult, type EventPosition } from './parse-chunk-event.js'
import { makeTemplate, matchTemplate, type FastTemplate } from './internal/fast-path.js'
import { fastPathHit, mayMakeTemplate, scheduleTemplate, templateMade, type FastPathSchedule } from './internal/fast-path-schedule.js'
import { HEAD_SIZE, HeadCollector, notEventStream, sniffHead } from '../source/input-head.js'
import { classifyJSONBody } from './internal/json-body.js'
import { createSSEDecoder, type ServerSentEvent, type SSEDecoder, type SSEDecoderOptions } from '../sse/sse-decoder.js'
import { locateError } from '../sse/event-position.js'
import type { ChatChunkTranslator } from './chat-chunk-translator.js'
import { createWireTranslator, decideFormat, readFormat, type StreamFormat } from '../format/wire-format.js'
import type { ChatCompletion, ChatCompletionChunk } from './types.js'

/** Options of the bytes → completion pipeline. */
export interface ChatCompletionStreamOptions extends ChatCompletionAccumulatorOptions {
  /**
   * The wire format of the stream. `'chat'`: OpenAI-compatible `chat.completion.chunk`s. `'responses'`
   * (OpenAI Responses API) and `'anthropic'` (Anthropic Messages): each event is translated into chat
   * chunks as it arrives (see `createResponseChatChunkTranslator`, `createAnthropicChatChunkTranslator`),
   * so the result is the `chat.completion` a gateway would serve, with the same events, limits and
   * errors. `'auto'`: decided from the first event that tells (see `detectWireFormat`): its SSE
   * `event:` name, else its data's `type`. `'completions'`: legacy `text_completion` chunks, folded
   * into a `text_completion`. A stream of another format than an explicit one fails with
   * `unsupported_format` at its first event.
   * @defaultValue 'chat'
   */
  format?: StreamFormat
  /**
   * Upper bound on one SSE event (see `SSEDecoderOptions.maxEventBytes`), and on a JSON body given
   * instead of an event stream (held whole to be parsed: `limit_exceeded` past it).
   * @defaultValue 16 MiB
   */
  maxEventBytes?: number
  /**
   * Aborts reading: the pipeline cancels the source and rejects with `signal.reason` when it is an
   * object (with `partial` attached), or with an `aborted` `DeltafoldError` whose `cause` is the
   * reason when it is a primitive or frozen.
   */
  signal?: AbortSignal
  /**
   * Decode the chunks that repeat an earlier chunk's shape (the same bytes but for the text or
   * arguments fragment, a choice or tool-call index, the `obfuscation` padding) straight from the
   * payload text, without `JSON.parse`: about 3× faster end to end on a long chat stream. It is
   * invisible: the same completion, events (the `chunk` event carries an object equal to what
   * `JSON.parse` gives) and errors, byte for byte; any payload it cannot prove to be of such a shape
   * takes the generic path. `false` parses every payload whole, for comparison.
   * @defaultValue true
   */
  fastPath?: boolean
  /**
   * Accept a stream that carried no chat chunk (zero bytes, blank lines, only comments or `[DONE]`)
   * as an empty completion instead of failing with `empty_stream`.
   * @defaultValue false
   */
  allowEmpty?: boolean
}

/** The object returned by {@link createChatCompletionStreamParser}. */
export interface ChatCompletionStreamParser {
  /**
   * Feeds the next bytes (or text) of the response body; ignored after `data: [DONE]`. The first
   * error stops the parser: this and every later `feed()` and `end()` throw it.
   */
  feed(chunk: Uint8Array | string): void
  /**
   * Feeds one chunk object that an SDK already parsed (what openai's `Stream` yields), instead of
   * bytes: it is applied as the payload of one event would be. A parser takes either bytes/text or
   * chunk objects, never both. Call it on the parser (`parser.feedChunk(chunk)`), not detached.
   */
  feedChunk(chunk: object): void
  /** Ends the input and returns the final completion; later calls return the same completion. */
  end(): ChatCompletion
  /** The completion so far (a copy). Never throws. */
  snapshot(): ChatCompletion
  /** `data: [DONE]` was seen: later bytes are ignored. */
  readonly sawDone: boolean
  /** Number of SSE events decoded (of chunk objects fed, for `feedChunk`). */
  readonly eventCount: number
  /**
   * What the input turned out to be: `event-stream`, `json` (a body that is one JSON value: a
   * non-streamed completion once `end()` returned it), `chunks` (chunk objects fed), or `undecided`
   * while too little has arrived. The CLI notes a non-streamed completion with it.
   */
  readonly inputKind: InputKind
  /**
   * Where the complete part of the input ends: the offset (bytes for `Uint8Array` input, UTF-16
   * code units for strings) of the first line not yet terminated. With `eventCount`, what an error
   * raised outside the parser (a failed read, an abort) reports as its position.
   */
  position(): number
}

/** See {@link ChatCompletionStreamParser.inputKind}. */
export type InputKind = 'undecided' | 'event-stream' | 'json' | 'chunks'

// What the input turned out to be (see sniffHead). Until decided, fed chunks are held.
const SNIFFING = 0
const SSE = 1
// The head was neither an event nor JSON: decoded as SSE all the same (events may follow), but
// with no event by the end (or within TEXT_LIMIT) it is `not_event_stream`.
const TEXT = 2
const JSON_BODY = 3
const OBJECTS = 4
/** The formats of the `format` option. */
const FORMATS: readonly StreamFormat[] = ['chat', 'completions', 'responses', 'anthropic', 'auto']
/** Input without any event after which a `text` head is declared not an event stream. */
const TEXT_LIMIT = 64 * 1024

/**
 * The whole synchronous pipeline from bytes to completion: SSE decoder (dispatching an unterminated
 * last event) → {@link parseChunkEvent} → accumulator. Payloads that repeat the shape of an earlier
 * chunk but for their text or arguments fragment skip `JSON.parse` (see `fastPath`), invisibly. Every
 * error it throws is a `DeltafoldError` carrying `partial`, the snapshot of everything received before it.
 *
 * What the input is, is decided from its first bytes and its end, never by holding it whole: an
 * event stream is decoded; a JSON body (`{` or `[` first) is a provider error (`ProviderError`,
 * `upstream_error`) or a complete non-streamed `chat.completion` (accepted as a one-chunk stream;
 * `not_streamed` in strict mode); input without any event is `not_event_stream` (its head quoted),
 * zero bytes or events without a chunk `empty_stream` (unless `allowEmpty`).
 *
 * @param options - accumulator options plus `maxEventBytes`, `fastPath`, `allowEmpty` and `format`
 *   (`'responses'`, `'anthropic'`, `'auto'`: see {@link ChatCompletionStreamOptions.format})
 * @example
 * ```ts
 * import { createChatCompletionStreamParser } from '@deltafold/core'
 * const parser = createChatCompletionStreamParser()
 * parser.feed('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n')
 * parser.end().choices[0]?.message.content // 'Hi'
 * ```
 */
export function createChatCompletionStreamParser(options: ChatCompletionStreamOptions = {}): ChatCompletionStreamParser {
  return createTranslatingStreamParser(options, undefined)
}

/**
 * The stream parser with a translator in place of {@link parseChunkEvent}: each SSE event goes to
 * `translator.push`, whose chunks are folded in order, and `translator.end` adds the last ones. The
 * hook for the other wire formats (the `format` option); the chat path only checks one field per
 * event. Not exported from the package.
 *
 * @param options - as for {@link createChatCompletionStreamParser}
 * @param translator - turns events of another format into chat chunks; undefined for chat streams
 * @internal
 */
export function createTranslatingStreamParser(
  options: ChatCompletionStreamOptions,
  translator: ChatChunkTranslator | undefined,
): ChatCompletionStreamParser {
  // Not an object: the accumulator's TypeError says so.
  if (typeof options !== 'object' || options === null) createAccumulatorState(options)
  const format = readFormat(options.format, FORMATS)
  // The chat fold takes 'chat' or 'completions'; the other formats reach it as chat chunks.
  const accOptions = (
    format === 'completions' || format === 'chat' ? options : { ...options, format: 'chat' }
  ) as ChatCompletionAccumulatorOptions
  const p = new ParserState(createAccumulatorState(accOptions), options)
  if (translator !== undefined) p.translator = translator
  else {
    if (format === 'responses' || format === 'anthropic') p.translator = createWireTranslator(format)
    p.pendingFormat = format
  }
  const decoderOptions: { dispatchUnterminated: boolean; maxEventBytes?: number } = { dispatchUnterminated: true }
  if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
  return new StreamParser(p, decoderOptions)
}

/**
 * One stream parser's state, read by the module-level {@link onEvent}, `feed` and `end`: a closure per
 * step would cost ~64 bytes each per stream (many-streams bench, node 20). Every field is set in the
 * constructor, so all states share one shape.
 */
class ParserState implements FastPathSchedule {
  readonly acc: AccumulatorState
  readonly fastPath: boolean
  readonly listening: boolean
  readonly strict: boolean
  readonly allowEmpty: boolean
  readonly maxBodyBytes: number
  // Set by the StreamParser constructor, right after this state exists (the decoder's handler needs it).
  decoder: SSEDecoder | undefined = undefined
  // Turns each event of another wire format into chunks (see createTranslatingStreamParser).
  translator: ChatChunkTranslator | undefined = undefined
  // The `format` option until the first event that tells checks (or, for 'auto', decides) it; then undefined.
  pendingFormat: StreamFormat | undefined = undefined
  // SNIFFING, SSE, TEXT, JSON_BODY or OBJECTS: what the input is (see the constants).
  mode = SNIFFING
  // The first bytes or characters, for sniffing and for the not-an-event-stream message.
  head: HeadCollector | undefined = new HeadCollector()
  // Chunks fed while SNIFFING (copied), or the whole body in JSON_BODY mode; `heldLength` their size.
  held: Array<Uint8Array | string> | undefined = undefined
  heldLength = 0
  // Input fed so far, counted only until the input is known to be an event stream.
  inputLength = 0
  // Chunks applied (fast and generic paths), and chunk objects fed in OBJECTS mode.
  chunks = 0
  objects = 0
  // `[DONE]` arrived: everything after it is ignored, as openai-node does.
  sawDone = false
  // The fast path's state and scheduling counters (see fast-path-schedule.ts).
  template: FastTemplate | undefined = undefined
  templatesMade = 0
  fastHits = 0
  misses = 0
  manyIndexes = false
  // The first error stopped the pipeline: feed() and end() throw it again, snapshot() still works.
  failure: unknown = undefined
  failed = false
  // end() returned: feed() is misuse.
  ended = false

  constructor(acc: AccumulatorState, options: ChatCompletionStreamOptions) {
    this.acc = acc
    this.fastPath = options.fastPath !== false
    this.listening = typeof options.onEvent === 'function'
    this.strict = options.strict === true
    this.allowEmpty = options.allowEmpty === true
    this.maxBodyBytes = options.maxEventBytes ?? 16 * 1024 * 1024
  }
}

/**
 * The public parser. Its methods are own closures over the state, so they still work detached;
 * `sawDone` and `eventCount` are prototype getters: getters in an object literal put the object in
 * dictionary mode, ~590 bytes more per stream (measured on node 20, many-streams bench).
 */
class StreamParser implements ChatCompletionStreamParser {
  readonly feed: (chunk: Uint8Array | string) => void
  readonly end: () => ChatCompletion
  readonly snapshot: () => ChatCompletion
  readonly #state: ParserState

  constructor(p: ParserState, decoderOptions: SSEDecoderOptions) {
    // The decoder's handler is made here with the methods, so that all four closures share one context.
    p.decoder = createSSEDecoder({ onEvent: (event) => onEvent(p, event) }, decoderOptions)
    this.#state = p
    this.feed = (chunk) => feed(p, chunk)
    this.end = () => end(p)
    this.snapshot = () => takeSnapshot(p.acc)
  }

  // A prototype method, not an own closure like feed(): 40 bytes less per idle parser (many-streams
  // bench); call it on the parser.
  feedChunk(chunk: object): void {
    feedChunk(this.#state, chunk)
  }

  get sawDone(): boolean {
    return this.#state.sawDone
  }

  get inputKind(): InputKind {
    const mode = this.#state.mode
    return mode === SNIFFING ? 'undecided' : mode === JSON_BODY ? 'json' : mode === OBJECTS ? 'chunks' : 'event-stream'
  }

  get eventCount(): number {
    const p = this.#state
    return p.mode === OBJECTS ? p.objects : p.decoder!.eventCount
  }

  position(): number {
    const p = this.#state
    return p.mode === SSE || p.mode === TEXT ? p.decoder!.position() : 0
  }
}

function onEvent(p: ParserState, event: ServerSentEvent): void {
  if (p.sawDone) return
  if (p.pendingFormat !== undefined) gateEvent(p, p.pendingFormat, event)
  if (p.translator !== undefined) return translateEvent(p, p.translator, event)
  const decoder = p.decoder!
  const data = event.data
  // The template matched but the accumulator declined (no such call yet): keep the template.
  let declined = false
  const template = p.template
  if (template !== undefined && event.type !== 'error' && matchTemplate(template, data)) {
    const t = template
    t.data = data
    try {
      if (pushFast(p.acc, t)) {
        p.chunks++
        fastPathHit(p)
        return
      }
      declined = true
    } catch (error) {
      // The position is read here rather than up front: on the fast path it is needed only for errors.
      throw locateError(error, { eventNumber: decoder.eventCount, byteOffset: decoder.position() }, event.data)
    } finally {
      t.data = ''
    }
  }
  const position = { eventNumber: decoder.eventCount, byteOffset: decoder.position() }
  let result: ChunkEventResult
  try {
    result = parseChunkEvent(event, position)
  } catch (error) {
    // Back-to-back `data:` lines without blank lines between them (GLM, Kimi deployments): one
    // event whose lines are each a whole chunk. Applied as consecutive chunks unless strict.
    const results = p.strict ? undefined : splitDataLines(event, position, error)
    if (results === undefined) throw error
    for (const each of results) applyResult(p, each, event, position)
    return
  }
  if (result.kind === 'chunk') {
    applyResult(p, result, event, position)
    if (p.fastPath && scheduleTemplate(p)) {
      try {
        if (!p.manyIndexes) p.manyIndexes = hasOtherIndex(result.chunk)
        if (!declined && mayMakeTemplate(p)) {
          const next = makeTemplate(data, result.chunk, p.listening, p.manyIndexes)
          if (next !== undefined) templateMade(p, next === false ? undefined : next)
        }
      } catch {
        // A listener left a getter that throws on the chunk: no template, as with fastPath: false.
      }
    }
  } else if (result.kind === 'done') p.sawDone = true
}

/** The `format` option at an event before the format is known: see {@link decideFormat}. */
function gateEvent(p: ParserState, format: StreamFormat, event: ServerSentEvent): void {
  const decoder = p.decoder!
  const chosen = decideFormat(format, event, { eventNumber: decoder.eventCount, byteOffset: decoder.position() })
  if (chosen === undefined) return
  p.pendingFormat = undefined
  if (chosen !== null) p.translator = chosen
}

function translateEvent(p: ParserState, translator: ChatChunkTranslator, event: ServerSentEvent): void {
  const decoder = p.decoder!
  const position = { eventNumber: decoder.eventCount, byteOffset: decoder.position() }
  let chunks: readonly ChatCompletionChunk[]
  try {
    chunks = translator.push(event, position)
  } catch (error) {
    throw locateError(error, position, event.data)
  }
  for (const chunk of chunks) applyResult(p, { kind: 'chunk', chunk }, event, position)
}

/** The translator's last chunks, at the end of input. */
function endTranslator(p: ParserState, translator: ChatChunkTranslator): void {
  const decoder = p.decoder!
  const position = { eventNumber: decoder.eventCount, byteOffset: decoder.position() }
  const event: ServerSentEvent = { type: 'end', data: '', lastEventId: '' }
  let chunks: readonly ChatCompletionChunk[]
  try {
    chunks = translator.end()
  } catch (error) {
    throw locateError(error, position, event.data)
  }
  for (const chunk of chunks) applyResult(p, { kind: 'chunk', chunk }, event, position)
}

function applyResult(p: ParserState, result: ChunkEventResult, event: ServerSentEvent, position: EventPosition): void {
  if (p.sawDone) return
  if (result.kind === 'done') {
    p.sawDone = true
    return
  }
  if (result.kind !== 'chunk') return
  p.chunks++
  try {
    pushChunk(p.acc, result.chunk)
  } catch (error) {
    throw locateError(error, position as { eventNumber: number; byteOffset: number }, event.data)
  }
}

function feed(p: ParserState, chunk: Uint8Array | string): void {
  if (p.ended) throw new TypeError('feed() was called after end(): create a new parser for the next stream')
  if (p.sawDone || p.failed) {
    if (p.failed) throw p.failure
    return
  }
  try {
    if (p.mode === SSE) p.decoder!.feed(chunk)
    else feedUndecided(p, chunk)
  } catch (error) {
    stop(p, error)
  }
}

/** Feeds a chunk while the input is not yet known to be an event stream (see the mode constants). */
function feedUndecided(p: ParserState, chunk: Uint8Array | string): void {
  if (p.mode === OBJECTS) throw new TypeError('feed() was called on a parser fed chunk objects: feed either bytes/text or chunk objects')
  if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) {
    // The decoder says what it expected.
    p.decoder!.feed(chunk)
    return
  }
  const bytes = typeof chunk === 'string' ? chunk : asBytes(chunk)
  const size = bytes.length
  if (p.mode === SNIFFING) {
    p.head!.add(bytes)
    p.inputLength += size
    const kind = sniffHead(p.head!.decoded(), false) ?? (p.head!.length >= HEAD_SIZE ? 'sse' : undefined)
    if (kind === undefined) {
      if (size > 0) hold(p, bytes, true)
      return
    }
    const held = p.held
    p.held = undefined
    p.heldLength = 0
    if (kind === 'json') {
      p.mode = JSON_BODY
      if (held !== undefined) for (const piece of held) hold(p, piece, false)
      hold(p, bytes, true)
      return
    }
    p.mode = kind === 'sse' ? SSE : TEXT
    if (p.mode === SSE) p.head = undefined
    if (held !== undefined) for (const piece of held) feedDecoder(p, piece)
    feedDecoder(p, bytes)
    return
  }
  p.inputLength += size
  // The head is kept for the message until the input proves to be an event stream.
  if (p.head!.length < HEAD_SIZE) p.head!.add(bytes)
  if (p.mode === JSON_BODY) hold(p, bytes, true)
  else feedDecoder(p, bytes)
}

/** Feeds the decoder; in TEXT mode, the first event makes the input an event stream after all. */
function feedDecoder(p: ParserState, chunk: Uint8Array | string): void {
  if (p.mode === SSE) {
    p.decoder!.feed(chunk)
    return
  }
  try {
    p.decoder!.feed(chunk)
  } catch (error) {
    if (p.decoder!.eventCount === 0) throw notEventStream(p.head!.value(), 'no event was found', error)
    throw error
  }
  if (p.decoder!.eventCount > 0) {
    p.mode = SSE
    p.head = undefined
  } else if (p.inputLength > TEXT_LIMIT) {
    throw notEventStream(p.head!.value(), `no event was found in its first ${p.inputLength} bytes`)
  }
}

function hold(p: ParserState, chunk: Uint8Array | string, copy: boolean): void {
  const size = chunk.length
  if (p.heldLength + size > p.maxBodyBytes) {
    throw new DeltafoldError('limit_exceeded', `The JSON body exceeds maxEventBytes (${p.maxBodyBytes})`, {
      eventNumber: 0,
      byteOffset: p.heldLength,
    })
  }
  ;(p.held ??= []).push(copy && typeof chunk !== 'string' ? chunk.slice() : chunk)
  p.heldLength += size
}

function asBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

function feedChunk(p: ParserState, chunk: object): void {
  if (p.ended) throw new TypeError('feedChunk() was called after end(): create a new parser for the next stream')
  if (p.failed) throw p.failure
  if (p.mode !== OBJECTS && p.mode !== SNIFFING) {
    throw new TypeError('feedChunk() was called on a parser fed bytes: feed either bytes/text or chunk objects')
  }
  if (p.mode === SNIFFING && p.inputLength > 0) {
    throw new TypeError('feedChunk() was called on a parser fed bytes: feed either bytes/text or chunk objects')
  }
  p.mode = OBJECTS
  p.head = undefined
  const eventNumber = ++p.objects
  try {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      throw new DeltafoldError('invalid_chunk', `Chunk ${eventNumber} is not a chunk object: ${describeValue(chunk)}`, { eventNumber })
    }
    p.chunks++
    try {
      pushChunk(p.acc, chunk)
    } catch (error) {
      if (error instanceof DeltafoldError && error.eventNumber === undefined) {
        error.eventNumber = eventNumber
        error.message += ` (chunk ${eventNumber})`
      }
      throw error
    }
  } catch (error) {
    stop(p, error)
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value) : typeof value
}

function end(p: ParserState): ChatCompletion {
  if (p.ended) return finishChunks(p.acc)
  if (p.failed) throw p.failure
  let completion: ChatCompletion
  try {
    if (p.mode === SNIFFING) decideAtEnd(p)
    if (p.mode === JSON_BODY) endJSONBody(p)
    else if (p.mode !== OBJECTS) {
      p.decoder!.end()
      if (p.mode === TEXT && p.decoder!.eventCount === 0) {
        throw notEventStream(p.head!.value(), 'no event was found')
      }
      if (p.translator !== undefined) endTranslator(p, p.translator)
    }
    if (p.chunks === 0 && !p.allowEmpty) throw emptyStream(p)
    completion = finishChunks(p.acc)
  } catch (error) {
    stop(p, error)
  }
  p.ended = true
  return completion
}

/** The input ended while its head was undecided (it is short, or blank lines only). */
function decideAtEnd(p: ParserState): void {
  const held = p.held
  p.held = undefined
  p.heldLength = 0
  const kind = sniffHead(p.head!.decoded(), true)
  if (kind === 'json') {
    p.mode = JSON_BODY
    if (held !== undefined) for (const piece of held) hold(p, piece, false)
    return
  }
  // Blank input is empty, not text: it holds no event either way.
  p.mode = kind === 'text' ? TEXT : SSE
  if (held !== undefined) for (const piece of held) p.decoder!.feed(piece)
}

function endJSONBody(p: ParserState): void {
  const held = p.held ?? []
  p.held = undefined
  const decoder = new TextDecoder()
  let text = ''
  for (const piece of held) text += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true })
  text += decoder.decode()
  // A BOM leads string input too (the TextDecoder strips it from bytes); JSON.parse refuses it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const result = classifyJSONBody(text, p.head!.value())
  if (result.kind === 'error') throw result.error
  if (p.strict) {
    throw new DeltafoldError(
      'not_streamed',
      'The body is a complete chat.completion, not an event stream: was the request sent without "stream": true?',
      { eventNumber: 0, byteOffset: 0 },
    )
  }
  p.chunks++
  pushChunk(p.acc, result.chunk)
}

function emptyStream(p: ParserState): DeltafoldError {
  const events = p.mode === OBJECTS ? p.objects : p.decoder!.eventCount
  const position = { eventNumber: events, byteOffset: p.mode === OBJECTS ? 0 : p.decoder!.position() }
  if (p.mode !== OBJECTS && p.inputLength === 0 && events === 0 && p.decoder!.position() === 0) {
    return new DeltafoldError(
      'empty_stream',
      'The stream is empty: no bytes were received (a dropped connection?); pass allowEmpty: true to accept it',
      position,
    )
  }
  const what =
    p.mode === OBJECTS
      ? 'no chunk object'
      : events === 0
        ? 'no event (only blank lines or comments)'
        : `${events} event${events === 1 ? '' : 's'} but no chunk (only comments, null or [DONE])`
  return new DeltafoldError('empty_stream', `The stream ended with ${what}; pass allowEmpty: true to accept it`, position)
}

/** The first error stops the pipeline and gets the partial result. */
function stop(p: ParserState, error: unknown): never {
  p.failed = true
  p.failure = error
  if (error instanceof DeltafoldError) error.partial ??= takeSnapshot(p.acc)
  throw error
}

/** Whether a chunk has a choice or tool-call index other than 0 (read defensively: it is wire data). */
function hasOtherIndex(chunk: object): boolean {
  const choices = (chunk as { choices?: unknown }).choices
  if (!Array.isArray(choices)) return false
  for (const choice of choices as Array<{ index?: unknown; delta?: { tool_calls?: unknown } } | null>) {
    if (typeof choice !== 'object' || choice === null) continue
    if (typeof choice.index === 'number' && choice.index !== 0) return true
    const calls = typeof choice.delta === 'object' && choice.delta !== null ? choice.delta.tool_calls : undefined
    if (!Array.isArray(calls)) continue
    for (const call of calls as Array<{ index?: unknown } | null>) {
      if (typeof call === 'object' && call !== null && typeof call.index === 'number' && call.index !== 0) return true
    }
  }
  return false
}
