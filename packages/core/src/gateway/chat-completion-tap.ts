import {
  createChatCompletionStreamParser,
  type ChatCompletionStreamOptions,
  type ChatCompletionStreamParser,
} from '../chat/chat-completion-stream-parser.js'
import { withPartial } from '../chat/pull-chat-completion.js'
import type { ChatCompletion } from '../chat/types.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import type { WireFormat } from '../format/wire-format.js'

/** Options of {@link createChatCompletionTap}: the stream parser's, plus `failClosed`. */
export interface ChatCompletionTapOptions extends Omit<ChatCompletionStreamOptions, 'signal' | 'format'> {
  /**
   * The wire format of the tapped stream, as for the stream parser and the normalize engine: `'chat'`,
   * `'responses'`, `'anthropic'` or `'auto'` (see `detectWireFormat`); the fold is the chat.completion
   * translation. The bytes pass unchanged whatever it is.
   * @defaultValue 'chat'
   */
  format?: WireFormat | 'auto'
  /**
   * By default the tap fails open: a malformed stream or a limit stops the fold, never the bytes
   * (`feed()` does not throw), and `finalChatCompletion()` rejects with the typed error. `true` makes
   * `feed()` and `end()` throw that error, for the adapter to error the byte stream. A provider error
   * is the provider's own well-formed answer: it always reaches only `finalChatCompletion()` (erroring
   * the byte stream would discard the error event the client is about to read).
   * @defaultValue false
   */
  failClosed?: boolean
}

/** The object returned by {@link createChatCompletionTap}. */
export interface ChatCompletionTap {
  /**
   * Folds the next bytes, which the caller has already passed on. Never throws, unless `failClosed`
   * and the bytes are bad (then it throws the typed error, once). Ignored after the fold stopped.
   */
  feed(chunk: Uint8Array | string): void
  /** The byte stream ended: settles `finalChatCompletion()`. Throws like `feed()`. */
  end(): void
  /** The reader cancelled the byte stream: the fold rejects `aborted` (cause: `reason`) with `partial`. */
  cancel(reason?: unknown): void
  /** The byte source failed: the fold rejects `stream_failed` (cause: `error`) with `partial`. */
  error(error: unknown): void
  /** Resolves with the final completion when the bytes end; rejects with the typed error that stopped the fold. */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far (a copy), also after an error. Never throws. */
  snapshot(): ChatCompletion
  /** The fold stopped (`[DONE]`, an error, the end): later bytes are only passed on. */
  readonly stopped: boolean
}

/**
 * The engine of the tap streams: folds the bytes a gateway forwards, on the side. The adapter passes
 * each chunk on first (the same object, unchanged) and then calls `feed(chunk)`, so the client never
 * waits on the fold. It holds no bytes beyond the SSE event being decoded.
 *
 * Fail-open by default: bad input, a limit or a provider error stops the fold and rejects
 * `finalChatCompletion()` with the typed error carrying `partial`; the bytes keep flowing.
 *
 * @param options - stream parser options (`onEvent`, `limits`, `strict`, `parseArguments`, `maxEventBytes`, `fastPath`, `format`), `failClosed`
 * @example
 * ```ts
 * import { createChatCompletionTap } from '@deltafold/core'
 * const tap = createChatCompletionTap()
 * tap.feed('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n')
 * tap.end()
 * const completion = await tap.finalChatCompletion()
 * completion.choices[0]?.message.content // 'Hi'
 * ```
 */
export function createChatCompletionTap(options: ChatCompletionTapOptions = {}): ChatCompletionTap {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createChatCompletionTap() expects an options object or nothing')
  }
  const { failClosed, ...parserOptions } = options
  return new Tap(createChatCompletionStreamParser(parserOptions), failClosed === true)
}

class Tap implements ChatCompletionTap {
  readonly #parser: ChatCompletionStreamParser
  readonly #failClosed: boolean
  readonly #final: Promise<ChatCompletion>
  #resolve!: (completion: ChatCompletion) => void
  #reject!: (error: unknown) => void
  // The fold is over (resolved, rejected): feed() only returns.
  #stopped = false
  // An error stopped the fold (it is rejected with it).
  #failure: unknown = undefined
  #failed = false

  constructor(parser: ChatCompletionStreamParser, failClosed: boolean) {
    this.#parser = parser
    this.#failClosed = failClosed
    this.#final = new Promise<ChatCompletion>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    // Nobody may ask for the completion: a rejection must not be reported as unhandled.
    this.#final.catch(() => {})
  }

  get stopped(): boolean {
    return this.#stopped || this.#failed
  }

  feed = (chunk: Uint8Array | string): void => {
    if (this.#stopped || this.#failed) return
    try {
      this.#parser.feed(chunk)
    } catch (error) {
      this.#stop(error)
      return
    }
    // The completion is final at `data: [DONE]`: a logger need not wait for the connection to close.
    if (this.#parser.sawDone) this.end()
  }

  end = (): void => {
    if (this.#stopped) return
    let completion: ChatCompletion
    try {
      completion = this.#parser.end()
    } catch (error) {
      this.#stop(error)
      return
    }
    this.#stopped = true
    this.#resolve(completion)
  }

  cancel = (reason?: unknown): void => {
    this.#settle(
      new DeltafoldError('aborted', 'The tapped stream was cancelled before it ended', { cause: reason, partial: this.#parser.snapshot() }),
    )
  }

  error = (error: unknown): void => {
    this.#settle(
      new DeltafoldError('stream_failed', `Reading the tapped stream failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        partial: this.#parser.snapshot(),
      }),
    )
  }

  finalChatCompletion = (): Promise<ChatCompletion> => this.#final

  snapshot = (): ChatCompletion => this.#parser.snapshot()

  /** The fold failed: remember it; with failClosed, bad input (not a provider error) is thrown for the adapter. */
  #stop(error: unknown): void {
    this.#failed = true
    this.#failure = withPartial(error, this.#parser.snapshot)
    if (this.#failClosed && !(error instanceof ProviderError)) {
      this.#settle(this.#failure)
      throw this.#failure
    }
    // Fail-open: the fold is over now, whatever follows in the bytes.
    this.#settle(this.#failure)
  }

  #settle(error: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#reject(error)
  }
}
