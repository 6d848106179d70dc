import { DeltafoldError, ProviderError } from '../errors.js'
import { responseHeaders } from './check-response.js'
import { isResponse, openByteSource, type ByteSource, type ChunkSource, type OpenedSource, type SourceItem } from './open-byte-source.js'
import { abortReason, withPartial } from './with-partial.js'

/**
 * What {@link pullStream} feeds: a stream parser of any format (chat completions, Anthropic
 * Messages, Responses). Called as methods, never detached.
 */
export interface PullParser<Result> {
  /** Feeds a piece of the body. */
  feed(piece: Uint8Array | string): void
  /** Feeds a chunk object an SDK parsed; without it, objects go to `feed` too. */
  feedChunk?(chunk: object): void
  /** Ends the input: the final result (throws the parser's error). */
  end(): Result
  /** The result so far; becomes `partial` of every error. Never throws. */
  snapshot(): Result
  /** Events decoded so far: with `position()`, where an error raised outside the parser happened. */
  readonly eventCount?: number
  /** Byte offset of the first byte not yet part of a complete line. */
  position?(): number
}

/** What {@link pullStream} returns: the one pull loop every pull-based entry point wraps. */
export interface StreamPull<Result> {
  /**
   * Opens the source without reading it (checking a `Response`'s status and content type); `pull()`
   * does it on its first call. Rejects with the raw error; pass it to `fail()`.
   */
  open(): Promise<void>
  /**
   * Reads the next piece of the source (opening it, and checking a `Response`, on the first call)
   * and feeds it to the parser. Resolves `false` once the input is over: the source ended (then
   * released) or the parser saw its terminal event (then cancelled, exactly once). Rejects with the
   * raw error; pass it to `fail()`.
   */
  pull(): Promise<boolean>
  /** Ends the parser: the final result (throws the parser's error; pass it to `fail()`). */
  end(): Result
  /**
   * The one error path: turns whatever stopped the pipeline into the error to reject with, and
   * cancels the source. An abort follows {@link abortReason}; a `DeltafoldError` gets `partial`, the
   * last complete event's number and byte offset (for failures outside the parser: a failed read, an
   * abort) and, from a `Response`, a `ProviderError` its `headers`. Idempotent: the same error comes
   * back for the same input.
   */
  fail(error: unknown): unknown
  /** The consumer stopped early (`break`, `cancel()`): an `aborted` error with `partial`; cancels the source. */
  stop(): DeltafoldError
  /**
   * Cancels the source with `reason` (a consumer's cancel, handed to the upstream as it is): nothing
   * more is read; a source still being opened is cancelled once it is. Resolves when the upstream
   * has finished cancelling; never rejects.
   */
  cancel(reason?: unknown): Promise<void>
}

/**
 * The pull loop of every format: source → stream parser, with abort (`signal`), cancel once the
 * parser saw its terminal event, release at the end, and one error path. The chat, Anthropic and
 * Responses entry points and the web adapter's `fromResponse` wrap it. The first item decides what
 * the source holds: bytes and strings are fed as the body, objects (an SDK's parsed chunks) to
 * `feedChunk`.
 *
 * Internal to core (not exported by the package): `pullChatCompletion` is its public face for chat
 * completions; `streamAnthropicMessage` and `streamResponse` use it directly.
 *
 * @param source - a byte source, a `Response`, or an (async) iterable of parsed chunk objects
 * @param parser - the stream parser to feed (its `onEvent` receives the events)
 * @param stopped - tells whether the parser saw the terminal event (`[DONE]`, `message_stop`, …)
 * @param signal - aborts the reads
 */
export function pullStream<Result>(
  source: ByteSource | ChunkSource,
  parser: PullParser<Result>,
  stopped: () => boolean,
  signal?: AbortSignal,
): StreamPull<Result> {
  let input: OpenedSource<SourceItem> | undefined
  let opening: Promise<void> | undefined
  // undefined until the first item: whether the source yields chunk objects rather than bytes.
  let objects: boolean | undefined
  // The loop is over (the source ended, was cancelled or failed): pull() resolves false.
  let over = false
  // What the loop ended for: a source still being opened is cancelled with it once it is open.
  let cancelReason: unknown
  let failed = false
  let failure: unknown
  const snapshot = () => parser.snapshot()
  const open = () =>
    (opening ??= openByteSource(source, signal).then((opened) => {
      input = opened
      if (over) void opened.cancel(cancelReason)
    }))
  // Ends the loop and cancels the source (exactly once: later calls get the same promise).
  const halt = (reason?: unknown): Promise<void> => {
    if (!over) {
      over = true
      cancelReason = reason
    }
    return input ? input.cancel(reason) : Promise.resolve()
  }
  return {
    open,
    async pull() {
      if (over || (input === undefined && (await open(), over))) return false
      const result = await input!.next()
      if (result.done) {
        over = true
        input!.close()
        return false
      }
      const item = result.value
      objects ??= parser.feedChunk !== undefined && typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)
      if (objects) parser.feedChunk!(item as object)
      else parser.feed(item as Uint8Array | string)
      if (!stopped()) return true
      // Not awaited: cancel() has called the upstream's cancel and released the lock when it
      // returns; a source whose cancel never settles must not hang the result.
      void halt()
      return false
    },
    end: () => parser.end(),
    fail(error) {
      if (!failed) {
        failed = true
        void halt((failure = normalize(error)))
      }
      return failure
    },
    stop() {
      return this.fail(new DeltafoldError('aborted', 'The consumer stopped reading the stream')) as DeltafoldError
    },
    cancel: halt,
  }

  function normalize(error: unknown): unknown {
    const wrapped = signal?.aborted && error === signal.reason ? abortReason(error, snapshot) : withPartial(error, snapshot)
    if (wrapped instanceof DeltafoldError) {
      if (wrapped.eventNumber === undefined && parser.position !== undefined) {
        // Raised outside the parser (a failed read, an abort, a stop): where the input was complete.
        const eventNumber = parser.eventCount ?? 0
        const byteOffset = parser.position()
        wrapped.eventNumber = eventNumber
        wrapped.byteOffset = byteOffset
        if (wrapped.code === 'stream_failed' || wrapped.code === 'aborted')
          wrapped.message += ` (after event ${eventNumber}, byte ${byteOffset})`
      }
      if (wrapped instanceof ProviderError && wrapped.headers === undefined && isResponse(source)) wrapped.headers = responseHeaders(source)
    }
    return wrapped
  }
}
