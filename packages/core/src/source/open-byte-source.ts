import { DeltafoldError } from '../errors.js'
import { checkResponse } from './check-response.js'
import { fromIterator, fromReader } from './internal/pull-source.js'

/**
 * One item of a source: bytes or text of the body, or (from an SDK that parsed the SSE already,
 * such as openai's `Stream`) a chunk object.
 */
export type SourceItem = Uint8Array | string | object

/** Anything deltafold can read a response body (or parsed chunks) from. */
export type ByteSource =
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | Response
  | Uint8Array
  | string

/** A source of chunk objects already parsed by an SDK (openai's `Stream`, the AI SDK's raw chunks). */
export type ChunkSource = AsyncIterable<object> | Iterable<object> | ReadableStream<object>

/**
 * A pull-based reader over any {@link ByteSource}, with abort and exactly-once cancellation. `Item`
 * is what it yields: body pieces, or also chunk objects for a {@link ChunkSource}.
 */
export interface OpenedSource<Item = Uint8Array | string> {
  /**
   * Reads the next item. Rejects with `signal.reason` on abort; a failed read with a `stream_failed`
   * error whose `cause` is the read error (`aborted` when that error is an `AbortError`: `fetch`'s own
   * signal fired).
   */
  next(): Promise<IteratorResult<Item>>
  /**
   * Cancels the upstream and releases locks and listeners. Only the first call (or abort) reaches the
   * upstream. When it returns, the upstream's cancel (`reader.cancel()`, `iterator.return()`) has been
   * called and the lock released; every call returns the promise of that one cancellation, which
   * resolves when the upstream has finished cancelling and never rejects.
   */
  cancel(reason?: unknown): Promise<void>
  /** Releases locks and listeners after a normal end, without cancelling. */
  close(): void
}

/**
 * Opens a byte source for pulling. A `Response` goes through {@link checkResponse} first. Reads race
 * the `signal`: when it fires, the pending read rejects with `signal.reason` and the upstream is
 * cancelled once. A locked stream or a used body is `body_unreadable`.
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of chunks, a `Uint8Array` or a string
 * @param signal - aborts the reads
 * @example
 * ```ts
 * import { openByteSource } from '@deltafold/core'
 * const input = await openByteSource(['data: 1\n\n', 'data: 2\n\n'])
 * await input.next() // { done: false, value: 'data: 1\n\n' }
 * await input.cancel() // the rest is never read
 * ```
 */
export async function openByteSource(source: ByteSource, signal?: AbortSignal): Promise<OpenedSource>
export async function openByteSource(source: ByteSource | ChunkSource, signal?: AbortSignal): Promise<OpenedSource<SourceItem>>
export async function openByteSource(source: ByteSource | ChunkSource, signal?: AbortSignal): Promise<OpenedSource<SourceItem>> {
  if (signal?.aborted) {
    // Aborted before the first read: the source is still cancelled, exactly once.
    await cancelUnopened(source, signal.reason)
    throw signal.reason
  }
  if (isResponse(source)) {
    try {
      await checkResponse(source, signal)
    } catch (error) {
      if (signal?.aborted) await cancelUnopened(source, signal.reason)
      throw error
    }
    if (source.body === null) return fromIterator([][Symbol.iterator](), signal)
    return fromReader(source.body.getReader() as ReadableStreamDefaultReader<SourceItem>, signal)
  }
  if (typeof source === 'string' || source instanceof Uint8Array) return fromIterator([source][Symbol.iterator](), signal)
  if (isReadableStream(source)) {
    if (source.locked) {
      throw new DeltafoldError(
        'body_unreadable',
        'The stream is locked by another reader: a stream can be read once; tee() it to read it twice',
      )
    }
    return fromReader(source.getReader() as ReadableStreamDefaultReader<SourceItem>, signal)
  }
  if (source !== null && typeof source === 'object') {
    const asyncIterable = (source as AsyncIterable<SourceItem>)[Symbol.asyncIterator]
    if (typeof asyncIterable === 'function') return fromIterator(asyncIterable.call(source), signal)
    const iterable = (source as Iterable<SourceItem>)[Symbol.iterator]
    if (typeof iterable === 'function') return fromIterator(iterable.call(source), signal)
  }
  throw new TypeError(
    'Expected a ReadableStream, an (async) iterable of Uint8Array or string chunks (or of parsed chunk objects), a Response, a Uint8Array or a string: pass response.body or the response itself',
  )
}

/**
 * The former name of {@link openByteSource}.
 *
 * @deprecated Use `openByteSource`: this alias goes away in the next minor.
 * @param source - as for {@link openByteSource}
 * @param signal - as for {@link openByteSource}
 * @example
 * ```ts
 * import { openSource } from '@deltafold/core'
 * const input = await openSource('data: 1\n\n')
 * ```
 */
export const openSource: (source: ByteSource, signal?: AbortSignal) => Promise<OpenedSource> = openByteSource

/** Best-effort cancellation of a source nobody has read from yet. */
async function cancelUnopened(source: ByteSource | ChunkSource, reason: unknown): Promise<void> {
  try {
    if (isResponse(source)) {
      if (source.body && !source.body.locked) await source.body.cancel(reason)
    } else if (isReadableStream(source)) {
      if (!source.locked) await source.cancel(reason)
    } else if (source !== null && typeof source === 'object' && !(source instanceof Uint8Array)) {
      const asyncIterable = (source as AsyncIterable<SourceItem>)[Symbol.asyncIterator]
      if (typeof asyncIterable === 'function') await asyncIterable.call(source).return?.()
    }
  } catch {
    // Already errored or closed: nothing to release.
  }
}

/** Whether `value` is a `Response` (duck-typed: one from another realm or a polyfill counts too). */
export function isResponse(value: unknown): value is Response {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Response
  return typeof r.status === 'number' && typeof r.text === 'function' && 'body' in r && typeof r.headers?.get === 'function'
}

function isReadableStream(value: unknown): value is ReadableStream<SourceItem> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function'
}
