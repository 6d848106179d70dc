import { parseChunkEvent } from '../chat/parse-chunk-event.js'
import type { ChatChunkTranslator } from '../chat/chat-chunk-translator.js'
import type { ChatCompletion } from '../chat/types.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import { createWireTranslator, decideFormat, readFormat, type StreamFormat, type WireFormat } from '../format/wire-format.js'
import { createSSEDecoder, type ServerSentEvent, type SSEDecoder, type SSEDecoderHandlers } from '../sse/sse-decoder.js'
import { locateError } from '../sse/event-position.js'
import {
  createChatChunkNormalizer,
  type ChatChunkNormalizer,
  type ChatChunkNormalizerOptions,
  type NormalizedChunk,
} from './chat-chunk-normalizer.js'

/** Options of {@link createChatCompletionNormalizer}. */
export interface ChatCompletionNormalizerOptions extends ChatChunkNormalizerOptions {
  /** Upper bound on one input SSE event; see `SSEDecoderOptions.maxEventBytes`. @defaultValue 16 MiB */
  maxEventBytes?: number
  /**
   * What bad input (or a limit) does. By default the output ends with what came before, then an
   * OpenAI-shaped `data: {"error": {"type": "invalid_stream", "code": …}}` event, so the client sees
   * a well-formed stream that failed; `true` makes `feed()`/`end()` throw the typed error instead, for
   * the adapter to error the byte stream. A provider error is always re-emitted as an error event.
   * @defaultValue false
   */
  failClosed?: boolean
  /**
   * Forward SSE comments (`: OPENROUTER PROCESSING`, `: keep-alive`) as `: text` lines, where they
   * come: they keep the connections of the clients and proxies behind the gateway alive while the
   * model thinks. Clients ignore them. `false` drops them.
   * @defaultValue true
   */
  comments?: boolean
  /**
   * Turns the input's events into chat chunks first: for another wire format (Responses, Anthropic
   * Messages). Without it the input is an OpenAI-compatible chat-completion stream. A custom one
   * takes the place of `format`.
   */
  translator?: ChatChunkTranslator
  /**
   * The wire format of the input: `'chat'` (OpenAI-compatible chunks), `'responses'` (OpenAI
   * Responses API) or `'anthropic'` (Anthropic Messages), whose events are translated into chat chunks
   * as they arrive (see `createResponseChatChunkTranslator`, `createAnthropicChatChunkTranslator`), or
   * `'auto'`: decided from the first event that tells (see `detectWireFormat`). A gateway serves
   * OpenAI-format clients from any of the three upstreams with it. An input of another format than
   * an explicit one fails with `unsupported_format` at its first event.
   * @defaultValue 'chat'
   */
  format?: WireFormat | 'auto'
}

/** The object returned by {@link createChatCompletionNormalizer}. */
export interface ChatCompletionNormalizer {
  /**
   * Feeds the next input bytes (or text) and returns the output SSE text they complete (often `''`).
   * After the output ended (`[DONE]`, an error event), input is ignored and `''` returned.
   */
  feed(chunk: Uint8Array | string): string
  /** The input ended: returns the last output (finish reasons, usage, `data: [DONE]`). Later calls return `''`. */
  end(): string
  /** Reading the input failed (or was cancelled): returns the last output, ending with an error event. */
  fail(error: unknown): string
  /** The completion the input folds to so far. Never throws. */
  snapshot(): ChatCompletion
  /** The output is complete: later input is ignored (an adapter may cancel its source). */
  readonly done: boolean
  /** The error that ended the stream (provider or input), if one did. */
  readonly failure: unknown
}

/**
 * The bytes-level normalize engine: the body of any OpenAI-compatible chat-completion stream in, a
 * canonical OpenAI `chat.completion.chunk` SSE stream out (the rules are those of
 * {@link createChatChunkNormalizer}), ending with `data: [DONE]`; a provider error is re-emitted as
 * `data: {"error": {…}}` after everything before it, and the output ends there. Each output event is
 * returned by the `feed()` that completes its input event: nothing is held but what must be merged.
 * Output is pure ASCII-safe JSON text per event (`JSON.stringify` escapes line breaks), so every
 * runtime's UTF-8 encoding gives the same bytes.
 *
 * @param options - `reasoningField`, `limits`, `maxEventBytes`, `failClosed`, `comments`, `format`, `translator`
 * @example
 * ```ts
 * import { createChatCompletionNormalizer } from '@deltafold/core'
 * const normalizer = createChatCompletionNormalizer()
 * let out = normalizer.feed('data: {"id":"c1","model":"m","choices":[{"delta":{"content":"Hi"}}]}\n\n')
 * out += normalizer.end()
 * // data: {"id":"c1",…,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}
 * // data: {"id":"c1",…,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
 * // data: [DONE]
 * ```
 */
export function createChatCompletionNormalizer(options: ChatCompletionNormalizerOptions = {}): ChatCompletionNormalizer {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createChatCompletionNormalizer() expects an options object or nothing')
  }
  const chunkOptions: ChatChunkNormalizerOptions = {}
  if (options.reasoningField !== undefined) chunkOptions.reasoningField = options.reasoningField
  if (options.limits !== undefined) chunkOptions.limits = options.limits
  const translator = options.translator
  if (translator !== undefined && (typeof translator.push !== 'function' || typeof translator.end !== 'function')) {
    throw new TypeError('options.translator must have push(event, position) and end(): pass a ChatChunkTranslator or leave it out')
  }
  const format = readFormat(options.format, FORMATS)
  if (translator !== undefined && options.format !== undefined) {
    throw new TypeError('options.translator and options.format were both given: a translator decides the format, leave format out')
  }
  if (translator !== undefined) return new BytesNormalizer(createChatChunkNormalizer(chunkOptions), options, translator, undefined)
  const chosen = format === 'responses' || format === 'anthropic' ? createWireTranslator(format) : undefined
  return new BytesNormalizer(createChatChunkNormalizer(chunkOptions), options, chosen, format)
}

/** The formats of the `format` option (the normalize engine has no legacy `completions`). */
const FORMATS = ['chat', 'responses', 'anthropic', 'auto'] as const

const DONE_EVENT = 'data: [DONE]\n\n'

class BytesNormalizer implements ChatCompletionNormalizer {
  readonly #chunks: ChatChunkNormalizer
  readonly #decoder: SSEDecoder
  readonly #failClosed: boolean
  #translator: ChatChunkTranslator | undefined
  // The `format` option until the input's first telling event checks (or, for 'auto', decides) it; then undefined.
  #pendingFormat: StreamFormat | undefined = undefined
  // Output of the events decoded during the current feed()/end(), joined once when it returns.
  readonly #out: string[] = []
  // The output ended ([DONE] written, or an error event): input is ignored from here on.
  #done = false
  #failure: unknown = undefined

  constructor(
    chunks: ChatChunkNormalizer,
    options: ChatCompletionNormalizerOptions,
    translator: ChatChunkTranslator | undefined,
    pendingFormat: StreamFormat | undefined,
  ) {
    this.#chunks = chunks
    this.#pendingFormat = pendingFormat
    this.#failClosed = options.failClosed === true
    this.#translator = translator
    const decoderOptions: { dispatchUnterminated: boolean; maxEventBytes?: number } = { dispatchUnterminated: true }
    if (options.maxEventBytes !== undefined) decoderOptions.maxEventBytes = options.maxEventBytes
    const handlers: SSEDecoderHandlers = { onEvent: (event) => this.#onEvent(event) }
    // A comment holds no line break (it is one line): written back whole, after the space the decoder took off.
    if (options.comments !== false) handlers.onComment = (text) => void (this.#done || this.#out.push(': ' + text + '\n\n'))
    this.#decoder = createSSEDecoder(handlers, decoderOptions)
  }

  get done(): boolean {
    return this.#done
  }

  get failure(): unknown {
    return this.#failure
  }

  snapshot = (): ChatCompletion => this.#chunks.snapshot()

  feed = (chunk: Uint8Array | string): string => {
    if (this.#done) return ''
    try {
      this.#decoder.feed(chunk)
    } catch (error) {
      this.#failed(error)
    }
    return this.#take()
  }

  end = (): string => {
    if (this.#done) return ''
    try {
      this.#decoder.end()
      if (!this.#done) {
        if (this.#translator !== undefined) for (const chunk of this.#translator.end()) this.#write(this.#chunks.push(chunk))
        this.#finish()
      }
    } catch (error) {
      this.#failed(error)
    }
    return this.#take()
  }

  fail = (error: unknown): string => {
    if (this.#done) return ''
    this.#done = true
    this.#failure = error
    this.#write(this.#chunks.fail(error))
    return this.#take()
  }

  #onEvent(event: ServerSentEvent): void {
    // The decoder may hold more events of the same chunk: after [DONE] or an error they are ignored.
    if (this.#done) return
    const position = { eventNumber: this.#decoder.eventCount, byteOffset: this.#decoder.position() }
    try {
      const pending = this.#pendingFormat
      if (pending !== undefined) {
        const chosen = decideFormat(pending, event, position)
        if (chosen !== undefined) {
          this.#pendingFormat = undefined
          if (chosen !== null) this.#translator = chosen
        }
      }
      if (this.#translator !== undefined) {
        for (const chunk of this.#translator.push(event, position)) {
          this.#write(this.#chunks.push(chunk))
          if (this.#chunks.closed) break
        }
      } else {
        const result = parseChunkEvent(event, position)
        if (result.kind === 'done') this.#finish()
        else if (result.kind === 'chunk') this.#write(this.#chunks.push(result.chunk))
      }
    } catch (error) {
      throw locateError(error, position, event.data)
    }
    if (this.#chunks.closed && !this.#done) {
      // A chunk carried a provider error: its error event is written, the output ends.
      this.#done = true
      this.#failure = this.#chunks.failure
    }
  }

  #finish(): void {
    this.#write(this.#chunks.end())
    this.#out.push(DONE_EVENT)
    this.#done = true
  }

  /** Bad input, a limit or a provider error event: the output ends with the error event, or (failClosed, bad input) throws. */
  #failed(error: unknown): void {
    if (error instanceof DeltafoldError) error.partial ??= this.#chunks.snapshot()
    const provider = error instanceof ProviderError
    this.#done = true
    this.#failure = error
    if (this.#failClosed && !provider) {
      this.#out.length = 0
      throw error
    }
    this.#write(this.#chunks.fail(error))
  }

  #write(chunks: NormalizedChunk[]): void {
    // JSON text holds no raw CR or LF: one data line per event.
    for (const chunk of chunks) this.#out.push('data: ' + JSON.stringify(chunk) + '\n\n')
  }

  #take(): string {
    const out = this.#out.length === 1 ? this.#out[0]! : this.#out.join('')
    this.#out.length = 0
    return out
  }
}
