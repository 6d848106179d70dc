import {
  createAccumulatorState,
  finishChunks,
  pushChunk,
  pushFast,
  takeSnapshot,
  type AccumulatorState,
  type ChatCompletionAccumulatorOptions,
} from './chat-completion-accumulator.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import { makeTemplate, matchTemplate, type FastTemplate } from './internal/fast-path.js'
import { createSSEDecoder, type ServerSentEvent, type SSEDecoder, type SSEDecoderOptions } from '../sse/sse-decoder.js'
import type { ChatCompletion, ChatCompletionChunk } from './types.js'

/** Options of the bytes → completion pipeline. */
export interface ChatCompletionStreamOptions extends ChatCompletionAccumulatorOptions {
  /** Upper bound on one SSE event; see `SSEDecoderOptions.maxEventBytes`. @defaultValue 16 MiB */
  maxEventBytes?: number
  /** Aborts reading: the pipeline cancels the source and rejects with `signal.reason`. */
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
}

/** Where an SSE event came from, for error messages. */
export interface EventPosition {
  eventNumber: number
  /** Absent where the events arrived already decoded (the web and node chunk stages). */
  byteOffset?: number
}

/** What {@link parseChunkEvent} makes of one SSE event. */
export type ChunkEventResult =
  | {
      kind: 'chunk'
      chunk: ChatCompletionChunk
      /**
       * The chunk carries a non-null `error` (OpenRouter sends one beside choices and usage): the
       * provider failed mid-stream. Apply the chunk, then fail with this error.
       */
      error?: ProviderError
    }
  | { kind: 'done' }
  | { kind: 'skip' }

/**
 * Turns one SSE event of a chat-completion stream into a chunk: empty data and `null` are skipped,
 * `[DONE]` ends the stream, `event: error` becomes a {@link ProviderError}, anything that is not a JSON
 * object is a typed error naming the event number, byte offset and raw data. A chunk with a non-null
 * `error` field comes back with that error as a {@link ProviderError} in `error`, to raise once the
 * chunk is applied.
 *
 * @param event - the decoded SSE event
 * @param position - its event number and byte offset, for errors
 * @example
 * ```ts
 * import { parseChunkEvent } from '@deltafold/core'
 * parseChunkEvent({ type: 'message', data: '[DONE]', lastEventId: '' }, { eventNumber: 9, byteOffset: 900 }) // { kind: 'done' }
 * ```
 */
export function parseChunkEvent(event: ServerSentEvent, position: EventPosition): ChunkEventResult {
  const data = event.data
  if (event.type === 'error') throw errorEvent(data, position)
  if (data === '' || data === 'null') return SKIP
  if (data.length <= 10 && data.trim() === '[DONE]') return DONE
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch (cause) {
    throw new DeltafoldError('invalid_json', `Invalid JSON in ${where(position)}: ${clip(data)}`, {
      ...position,
      cause,
      data,
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DeltafoldError(
      'invalid_chunk',
      `The payload of ${where(position)} is not a chunk object: ${clip(data)}`,
      { ...position, data },
    )
  }
  const error = (value as { error?: unknown }).error
  if (error === undefined || error === null) return { kind: 'chunk', chunk: value as ChatCompletionChunk }
  return {
    kind: 'chunk',
    chunk: value as ChatCompletionChunk,
    error: new ProviderError('upstream_error', `The provider sent an error in ${where(position)}: ${errorMessage(error)}`, error, {
      ...position,
      path: '$.error',
      data,
    }),
  }
}

/**
 * Whether a chunk carries choices or usage: what a stage that fails on an `error` chunk must still
 * pass on first, so that nothing the provider sent before failing is lost.
 *
 * @param chunk - a parsed chunk
 * @example
 * ```ts
 * import { carriesData } from '@deltafold/core'
 * carriesData({ error: { message: 'x' } }) // false
 * ```
 */
export function carriesData(chunk: object): boolean {
  const { choices, usage } = chunk as { choices?: unknown; usage?: unknown }
  return (Array.isArray(choices) && choices.length > 0) || (usage !== undefined && usage !== null)
}

function where(position: EventPosition): string {
  return position.byteOffset === undefined
    ? `event ${position.eventNumber}`
    : `event ${position.eventNumber} at byte ${position.byteOffset}`
}

/** The object returned by {@link createChatCompletionStreamParser}. */
export interface ChatCompletionStreamParser {
  /**
   * Feeds the next bytes (or text) of the response body; ignored after `data: [DONE]`. The first
   * error stops the parser: this and every later `feed()` and `end()` throw it.
   */
  feed(chunk: Uint8Array | string): void
  /** Ends the input and returns the final completion; later calls return the same completion. */
  end(): ChatCompletion
  /** The completion so far (a copy). Never throws. */
  snapshot(): ChatCompletion
  /** `data: [DONE]` was seen: later bytes are ignored. */
  readonly sawDone: boolean
  /** Number of SSE events decoded. */
  readonly eventCount: number
}

/**
 * The whole synchronous pipeline from bytes to completion: SSE decoder (dispatching an unterminated
 * last event) → {@link parseChunkEvent} → accumulator. Payloads that repeat the shape of an earlier
 * chunk but for their text or arguments fragment skip `JSON.parse` (see `fastPath`), invisibly. Every
 * error it throws is a `DeltafoldError` carrying `partial`, the snapshot of everything received before it.
 *
 * @param options - accumulator options plus `maxEventBytes` and `fastPath`
 * @example
 * ```ts
 * import { createChatCompletionStreamParser } from '@deltafold/core'
 * const parser = createChatCompletionStreamParser()
 * parser.feed('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n')
 * parser.end().choices[0]?.message.content // 'Hi'
 * ```
 */
export function createChatCompletionStreamParser(options: ChatCompletionStreamOptions = {}): ChatCompletionStreamParser {
  const p = new ParserState(createAccumulatorState(options), options.fastPath !== false, typeof options.onEvent === 'function')
  const decoderOptions: { dispatchUnterminated: boolean; maxEventBytes?: number } = { dispatchUnterminated: true }
  if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
  return new StreamParser(p, decoderOptions)
}

/**
 * One stream parser's state, read by the module-level {@link onEvent}, `feed` and `end`: a closure per
 * step would cost ~64 bytes each per stream (many-streams bench, node 20). Every field is set in the
 * constructor, so all states share one shape.
 */
class ParserState {
  readonly acc: AccumulatorState
  readonly fastPath: boolean
  readonly listening: boolean
  // Set by the StreamParser constructor, right after this state exists (the decoder's handler needs it).
  decoder: SSEDecoder | undefined = undefined
  // `[DONE]` arrived: everything after it is ignored, as openai-node does.
  sawDone = false
  // The shape of the last chunk the generic path applied that the fast path can repeat, if any.
  template: FastTemplate | undefined = undefined
  // Templates made (or tried) and payloads the fast path applied: making one costs about two
  // JSON.parse, so a stream whose chunks never repeat a shape stops trying after 4 (plus one per 32 hits).
  templatesMade = 0
  fastHits = 0
  // Payloads in a row that took the generic path. Past 32 the template is dropped and shapes are
  // looked at on every 32nd only: a stream the fast path cannot help (an id per chunk, usage on
  // every chunk) then pays ~1% for it instead of 4-10% (measured on 10 MB of such chunks, node 20).
  misses = 0
  // A choice or tool-call index other than 0 was seen: templates make indexes holes (see makeTemplate).
  manyIndexes = false
  // The first error stopped the pipeline: feed() and end() throw it again, snapshot() still works.
  failure: unknown = undefined
  failed = false
  // end() returned: feed() is misuse.
  ended = false

  constructor(acc: AccumulatorState, fastPath: boolean, listening: boolean) {
    this.acc = acc
    this.fastPath = fastPath
    this.listening = listening
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

  get sawDone(): boolean {
    return this.#state.sawDone
  }

  get eventCount(): number {
    return this.#state.decoder!.eventCount
  }
}

function onEvent(p: ParserState, event: ServerSentEvent): void {
  if (p.sawDone) return
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
        p.fastHits++
        p.misses = 0
        return
      }
      declined = true
    } catch (error) {
      // The position is read here rather than up front: on the fast path it is needed only for errors.
      throw located(error, event, { eventNumber: decoder.eventCount, byteOffset: decoder.position() })
    } finally {
      t.data = ''
    }
  }
  const position = { eventNumber: decoder.eventCount, byteOffset: decoder.position() }
  const result = parseChunkEvent(event, position)
  if (result.kind === 'done') p.sawDone = true
  else if (result.kind === 'chunk') {
    try {
      pushChunk(p.acc, result.chunk)
    } catch (error) {
      throw located(error, event, position)
    }
    if (p.fastPath && (++p.misses <= 32 || (p.misses & 31) === 0)) {
      if (p.misses > 32) p.template = undefined
      try {
        if (!p.manyIndexes) p.manyIndexes = hasOtherIndex(result.chunk)
        if (!declined && p.templatesMade < 4 + (p.fastHits >>> 5)) {
          const next = makeTemplate(data, result.chunk, p.listening, p.manyIndexes)
          if (next !== undefined) {
            p.templatesMade++
            if (next !== false) {
              p.template = next
              p.misses = 0
            }
          }
        }
      } catch {
        // A listener left a getter that throws on the chunk: no template, as with fastPath: false.
      }
    }
  }
}

function feed(p: ParserState, chunk: Uint8Array | string): void {
  if (p.ended) throw new TypeError('feed() was called after end(): create a new parser for the next stream')
  if (p.sawDone || p.failed) {
    if (p.failed) throw p.failure
    return
  }
  try {
    p.decoder!.feed(chunk)
  } catch (error) {
    stop(p, error)
  }
}

function end(p: ParserState): ChatCompletion {
  if (p.ended) return finishChunks(p.acc)
  if (p.failed) throw p.failure
  let completion: ChatCompletion
  try {
    p.decoder!.end()
    completion = finishChunks(p.acc)
  } catch (error) {
    stop(p, error)
  }
  p.ended = true
  return completion
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

/** Adds the event's number, byte offset and data to an error the accumulator raised. */
function located(error: unknown, event: ServerSentEvent, position: { eventNumber: number; byteOffset: number }): unknown {
  if (error instanceof DeltafoldError && error.eventNumber === undefined) {
    error.eventNumber = position.eventNumber
    error.byteOffset = position.byteOffset
    error.data ??= event.data
    error.message += ` (event ${position.eventNumber}, byte ${position.byteOffset})`
  }
  return error
}

/**
 * `event: error` ends the stream whatever its data: JSON (`{"error": …}` or a bare error object), text,
 * or nothing at all (the error is then the raw data string).
 */
function errorEvent(data: string, position: EventPosition): ProviderError {
  let error: unknown = data
  try {
    const value: unknown = JSON.parse(data)
    error = typeof value === 'object' && value !== null && !Array.isArray(value) && 'error' in value ? (value as { error: unknown }).error : value
  } catch {
    // Not JSON: the text itself is the error.
  }
  const detail = data === '' ? 'no details' : typeof error === 'string' ? clip(error) : errorMessage(error)
  return new ProviderError('upstream_error', `The provider sent an error event: ${detail}`, error, { ...position, data })
}

const SKIP: ChunkEventResult = { kind: 'skip' }
const DONE: ChunkEventResult = { kind: 'done' }

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text)
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message
  }
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error)
}
