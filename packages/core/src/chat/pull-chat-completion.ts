import type { ChatCompletionStreamParser } from './chat-completion-stream-parser.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import { responseHeaders } from '../source/check-response.js'
import { isResponse, openByteSource, type ByteSource, type ChunkSource, type OpenedSource, type SourceItem } from '../source/open-byte-source.js'
import type { ChatCompletion } from './types.js'

/** What {@link pullChatCompletion} returns: the one pull loop every pull-based entry point wraps. */
export interface ChatCompletionPull {
  /**
   * Reads the next piece of the source (opening it, and checking a `Response`, on the first call)
   * and feeds it to the parser, whose `onEvent` gets its events. Resolves `false` once the input is
   * over: the source ended (then released) or `data: [DONE]` arrived (then cancelled, exactly once).
   * Rejects with the raw error; pass it to `fail()`.
   */
  pull(): Promise<boolean>
  /** Ends the parser: the final completion (throws the parser's error; pass it to `fail()`). */
  end(): ChatCompletion
  /**
   * The one error path: turns whatever stopped the pipeline into the error to reject with, and
   * cancels the source. See {@link withPartial} for the abort contract; a `DeltafoldError` gets
   * `partial`, the last complete event's number and byte offset (for failures outside the parser:
   * a failed read, an abort) and, from a `Response`, a `ProviderError` its `headers`. Idempotent:
   * the same error comes back for the same input.
   */
  fail(error: unknown): unknown
  /** The consumer stopped early (`break`, `cancel()`): an `aborted` error with `partial`; cancels the source. */
  stop(): DeltafoldError
}

/**
 * The pull loop: source → stream parser, with abort (`signal`), cancel on `[DONE]`, release at the
 * end, and one error path. `accumulateChatCompletion`, `streamChatCompletion` and the web adapter's
 * `fromResponse` are wrappers over it. The first item decides what the source holds: bytes and
 * strings are fed as the body, objects (an SDK's parsed chunks) as chunks.
 *
 * @param source - a byte source, a `Response`, or an (async) iterable of parsed chunk objects
 * @param parser - the stream parser to feed (its `onEvent` receives the events)
 * @param signal - aborts the reads
 * @example
 * ```ts
 * import { createChatCompletionStreamParser, pullChatCompletion } from '@deltafold/core'
 * const parser = createChatCompletionStreamParser()
 * const loop = pullChatCompletion(['data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'], parser)
 * try {
 *   while (await loop.pull()) {}
 *   loop.end().choices[0]?.message.content // 'Hi'
 * } catch (error) {
 *   throw loop.fail(error)
 * }
 * ```
 */
export function pullChatCompletion(
  source: ByteSource | ChunkSource,
  parser: ChatCompletionStreamParser,
  signal?: AbortSignal,
): ChatCompletionPull {
  let input: OpenedSource<SourceItem> | undefined
  // undefined until the first item: whether the source yields chunk objects rather than bytes.
  let objects: boolean | undefined
  // The source is over (ended, cancelled or failed): pull() resolves false.
  let over = false
  let failure: unknown
  let failed = false
  return {
    async pull() {
      if (over) return false
      input ??= await openByteSource(source, signal)
      const result = await input.next()
      if (result.done) {
        over = true
        input.close()
        return false
      }
      const item = result.value
      objects ??= typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)
      if (objects) parser.feedChunk(item as object)
      else parser.feed(item as Uint8Array | string)
      if (parser.sawDone) {
        over = true
        // Not awaited: cancel() has called the upstream's cancel and released the lock when it
        // returns; a source whose cancel never settles must not hang the result.
        void input.cancel()
        return false
      }
      return true
    },
    end() {
      return parser.end()
    },
    fail(error) {
      if (failed) return failure
      failed = true
      over = true
      failure = normalize(error)
      void input?.cancel(failure)
      return failure
    },
    stop() {
      const error = new DeltafoldError('aborted', 'The consumer stopped reading the stream')
      return this.fail(error) as DeltafoldError
    },
  }

  function normalize(error: unknown): unknown {
    const wrapped = signal?.aborted && error === signal.reason ? abortReason(error, parser.snapshot) : withPartial(error, parser.snapshot)
    if (wrapped instanceof DeltafoldError) {
      if (wrapped.eventNumber === undefined) {
        // Raised outside the parser (a failed read, an abort, a stop): where the input was complete.
        const eventNumber = parser.eventCount
        const byteOffset = parser.position()
        wrapped.eventNumber = eventNumber
        wrapped.byteOffset = byteOffset
        if (wrapped.code === 'stream_failed' || wrapped.code === 'aborted') wrapped.message += ` (after event ${eventNumber}, byte ${byteOffset})`
      }
      if (wrapped instanceof ProviderError && wrapped.headers === undefined && isResponse(source)) wrapped.headers = responseHeaders(source)
    }
    return wrapped
  }
}

/**
 * The abort contract for `signal.reason`: an extensible object is rejected as it is, with `partial`
 * attached (non-enumerable); a primitive or non-extensible reason (`controller.abort('stop')`, a
 * frozen object) is wrapped in a `DeltafoldError` with code `aborted`, the reason as its `cause`.
 *
 * @param reason - the signal's reason
 * @param snapshot - returns the completion so far
 * @example
 * ```ts
 * import { abortReason, createChatCompletionAccumulator } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * abortReason('stop', acc.snapshot) // DeltafoldError { code: 'aborted', cause: 'stop', partial: {…} }
 * ```
 */
export function abortReason(reason: unknown, snapshot: () => ChatCompletion): unknown {
  if (reason instanceof DeltafoldError || (typeof reason === 'object' && reason !== null && Object.isExtensible(reason))) {
    return withPartial(reason, snapshot)
  }
  const detail = typeof reason === 'string' ? JSON.stringify(reason) : typeof reason === 'object' ? 'a frozen object' : String(reason)
  return new DeltafoldError('aborted', `The stream was aborted: ${detail}`, { cause: reason, partial: snapshot() })
}

/**
 * Attaches the partial completion to an error leaving a pipeline: a `DeltafoldError` gets `partial`
 * when it has none; a foreign object (an abort reason, an upstream error) gets it as a non-enumerable
 * property and passes through otherwise unchanged, as does a primitive (an abort reason goes through
 * {@link abortReason} instead, which wraps primitives). Narrow the result with `hasPartial` or
 * `isDeltafoldError`.
 *
 * @param error - what was thrown
 * @param snapshot - returns the completion so far
 * @example
 * ```ts
 * import { createChatCompletionAccumulator, withPartial } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * const reason = withPartial(new Error('aborted'), acc.snapshot) as Error & { partial: unknown }
 * reason.partial // { id: '', object: 'chat.completion', … }
 * ```
 */
export function withPartial(error: unknown, snapshot: () => ChatCompletion): unknown {
  if (error instanceof DeltafoldError) {
    error.partial ??= snapshot()
    return error
  }
  if (typeof error === 'object' && error !== null && Object.isExtensible(error) && !('partial' in error)) {
    // An abort reason (or another foreign error) passes through as it is, carrying the partial result.
    Object.defineProperty(error, 'partial', { value: snapshot(), enumerable: false, configurable: true, writable: true })
  }
  return error
}
