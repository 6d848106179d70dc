import { DeltafoldError, ProviderError } from './errors.js'

/** Anything deltafold can read a response body from. */
export type ByteSource =
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | Response
  | Uint8Array
  | string

/** A pull-based reader over any {@link ByteSource}, with abort and exactly-once cancellation. */
export interface OpenedSource {
  next(): Promise<IteratorResult<Uint8Array | string>>
  /** Cancels the upstream (once, whatever the number of calls) and releases locks. */
  cancel(reason?: unknown): Promise<void>
  /** Releases locks and listeners after a normal end. */
  close(): void
}

/**
 * Opens a byte source for pulling. A `Response` with a non-2xx status becomes a `ProviderError`
 * (`http_error`) carrying the body. Reads race the `signal`: when it fires, the upstream is
 * cancelled once and the pending read rejects with `signal.reason`.
 */
export async function openSource(source: ByteSource, signal?: AbortSignal): Promise<OpenedSource> {
  signal?.throwIfAborted()
  if (isResponse(source)) {
    await checkResponse(source)
    if (source.body === null) return fromIterator([][Symbol.iterator](), signal)
    return fromReader(source.body.getReader() as ReadableStreamDefaultReader<Uint8Array | string>, signal)
  }
  if (typeof source === 'string' || source instanceof Uint8Array) return fromIterator([source][Symbol.iterator](), signal)
  if (isReadableStream(source)) return fromReader(source.getReader(), signal)
  if (source !== null && typeof source === 'object') {
    const asyncIterable = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]
    if (typeof asyncIterable === 'function') return fromIterator(asyncIterable.call(source), signal)
    const iterable = (source as Iterable<Uint8Array | string>)[Symbol.iterator]
    if (typeof iterable === 'function') return fromIterator(iterable.call(source), signal)
  }
  throw new TypeError(
    'Expected a ReadableStream, an (async) iterable of Uint8Array or string chunks, a Response, a Uint8Array or a string: pass response.body or the response itself',
  )
}

/**
 * Throws a `ProviderError` (`http_error`) for a non-2xx response or a JSON body where an event stream
 * was expected; the parsed body (or its text) is the error's `error`.
 */
export async function checkResponse(response: Response): Promise<void> {
  const type = response.headers.get('content-type') ?? ''
  if (response.ok && !/^application\/(?:.*\+)?json/i.test(type)) return
  const text = await response.text().catch(() => '')
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON: keep the text.
  }
  const inner = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : body
  const detail =
    typeof inner === 'object' && inner !== null && typeof (inner as { message?: unknown }).message === 'string'
      ? (inner as { message: string }).message
      : text.slice(0, 200)
  const what = response.ok ? `a JSON body instead of an event stream` : `HTTP ${response.status}`
  throw new ProviderError('http_error', `The provider answered with ${what}: ${detail}`, body, { status: response.status })
}

function fromReader(reader: ReadableStreamDefaultReader<Uint8Array | string>, signal?: AbortSignal): OpenedSource {
  return wrap(
    () => reader.read(),
    async (reason) => {
      await reader.cancel(reason)
      reader.releaseLock()
    },
    () => reader.releaseLock(),
    signal,
  )
}

function fromIterator(
  iterator: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string>,
  signal?: AbortSignal,
): OpenedSource {
  return wrap(
    async () => iterator.next(),
    async () => {
      await iterator.return?.()
    },
    () => {},
    signal,
  )
}

function wrap(
  read: () => Promise<IteratorResult<Uint8Array | string>>,
  cancelUpstream: (reason: unknown) => Promise<void>,
  release: () => void,
  signal?: AbortSignal,
): OpenedSource {
  // The upstream was cancelled or released: never touch it again.
  let settled = false
  let abortReject: ((reason: unknown) => void) | undefined
  const onAbort = () => {
    const reason = signal?.reason
    void cancel(reason)
    abortReject?.(reason)
  }
  signal?.addEventListener('abort', onAbort, { once: true })

  async function cancel(reason?: unknown): Promise<void> {
    if (settled) return
    settled = true
    signal?.removeEventListener('abort', onAbort)
    try {
      await cancelUpstream(reason)
    } catch {
      // The upstream may already be errored or closed; cancellation is best effort.
    }
  }

  return {
    async next() {
      if (signal?.aborted) throw signal.reason
      if (settled) return { done: true, value: undefined }
      let result: IteratorResult<Uint8Array | string>
      try {
        if (!signal) result = await read()
        else {
          result = await new Promise<IteratorResult<Uint8Array | string>>((resolve, reject) => {
            abortReject = reject
            read().then(resolve, reject)
          })
          abortReject = undefined
        }
      } catch (cause) {
        if (signal?.aborted && cause === signal.reason) throw cause
        void cancel(cause)
        throw new DeltafoldError('stream_failed', `Reading the stream failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause,
        })
      }
      return result
    },
    cancel,
    close() {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      try {
        release()
      } catch {
        // Already released.
      }
    },
  }
}

function isResponse(value: unknown): value is Response {
  // Duck-typed: a Response from another realm or a polyfill (undici, node-fetch) counts too.
  if (typeof value !== 'object' || value === null) return false
  const r = value as Response
  return typeof r.status === 'number' && typeof r.text === 'function' && 'body' in r && typeof r.headers?.get === 'function'
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array | string> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function'
}
