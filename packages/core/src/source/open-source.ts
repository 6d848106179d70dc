import { DeltafoldError, ProviderError } from '../errors.js'

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
  /** Reads the next chunk. Rejects with `signal.reason` on abort, or a `stream_failed` error whose `cause` is the read error. */
  next(): Promise<IteratorResult<Uint8Array | string>>
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

/** What {@link checkResponse} reads of a response: a `Response`, or any object with these fields. */
export type ResponseLike = Pick<Response, 'ok' | 'status' | 'headers' | 'text'> & {
  readonly body?: ReadableStream<Uint8Array> | null
}

/** How much of an error body {@link checkResponse} reads before cancelling the rest: 64 KiB. */
const MAX_ERROR_BODY_BYTES = 64 * 1024

/**
 * Opens a byte source for pulling. A `Response` goes through {@link checkResponse} first. Reads race
 * the `signal`: when it fires, the pending read rejects with `signal.reason` and the upstream is
 * cancelled once.
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of chunks, a `Uint8Array` or a string
 * @param signal - aborts the reads
 * @example
 * ```ts
 * import { openSource } from '@deltafold/core'
 * const input = await openSource(['data: 1\n\n', 'data: 2\n\n'])
 * await input.next() // { done: false, value: 'data: 1\n\n' }
 * await input.cancel() // the rest is never read
 * ```
 */
export async function openSource(source: ByteSource, signal?: AbortSignal): Promise<OpenedSource> {
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
 * was expected; the parsed body (or its text) is the error's `error`, the status its `status`. Reads
 * at most 64 KiB of the body and cancels the rest, so a hostile error body cannot exhaust memory.
 *
 * @param response - a `Response`, or any object with `ok`, `status`, `headers`, `text()` (and optionally `body`)
 * @param signal - aborts reading the error body (rejects with `signal.reason`)
 * @example
 * ```ts
 * import { checkResponse } from '@deltafold/core'
 * const response = new Response('{"error":{"message":"Rate limited"}}', { status: 429, headers: { 'content-type': 'application/json' } })
 * await checkResponse(response).catch((e) => [e.code, e.status, e.error]) // ['http_error', 429, { error: { message: 'Rate limited' } }]
 * ```
 */
export async function checkResponse(response: ResponseLike, signal?: AbortSignal): Promise<void> {
  const type = response.headers.get('content-type') ?? ''
  if (response.ok && !/^application\/(?:.*\+)?json/i.test(type)) return
  const text = await readErrorBody(response, signal)
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON (or cut at the cap): keep the text.
  }
  const inner = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : body
  const detail =
    typeof inner === 'object' && inner !== null && typeof (inner as { message?: unknown }).message === 'string'
      ? (inner as { message: string }).message
      : text.slice(0, 200)
  const what = response.ok ? `a JSON body instead of an event stream` : `HTTP ${response.status}`
  throw new ProviderError('http_error', `The provider answered with ${what}: ${detail}`, body, { status: response.status })
}

async function readErrorBody(response: ResponseLike, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted()
  const body = response.body
  if (body === undefined || body === null || typeof body.getReader !== 'function') {
    return raceAbort(response.text(), signal).catch((error: unknown) => {
      if (signal?.aborted && error === signal.reason) throw error
      return ''
    })
  }
  let reader: ReadableStreamDefaultReader<Uint8Array | string>
  try {
    reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array | string>
  } catch {
    // Locked or already read (bodyUsed): there is no body left to report.
    return ''
  }
  const input = fromReader(reader, signal)
  const decoder = new TextDecoder()
  const parts: string[] = []
  let size = 0
  try {
    while (size < MAX_ERROR_BODY_BYTES) {
      const result = await input.next()
      if (result.done) break
      const chunk = result.value
      size += typeof chunk === 'string' ? chunk.length : chunk.byteLength
      parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    }
    parts.push(decoder.decode())
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error
    // The body failed mid-way: report what arrived.
  } finally {
    void input.cancel()
  }
  return parts.join('')
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Best-effort cancellation of a source nobody has read from yet. */
async function cancelUnopened(source: ByteSource, reason: unknown): Promise<void> {
  try {
    if (isResponse(source)) {
      if (source.body && !source.body.locked) await source.body.cancel(reason)
    } else if (isReadableStream(source)) {
      if (!source.locked) await source.cancel(reason)
    } else if (source !== null && typeof source === 'object' && !(source instanceof Uint8Array)) {
      const asyncIterable = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]
      if (typeof asyncIterable === 'function') await asyncIterable.call(source).return?.()
    }
  } catch {
    // Already errored or closed: nothing to release.
  }
}

function fromReader(reader: ReadableStreamDefaultReader<Uint8Array | string>, signal?: AbortSignal): OpenedSource {
  const release = () => {
    try {
      reader.releaseLock()
    } catch {
      // Already released.
    }
  }
  return wrap(
    () => reader.read() as Promise<IteratorResult<Uint8Array | string>>, // Deno with @types/node in the program types read() as `value?: T`
    async (reason) => {
      // reader.cancel() settles pending reads at once (ReadableStreamCancel → ReadableStreamClose
      // resolves the read requests), so the lock can be released before the source's cancel
      // algorithm finishes: the stream is unlocked even when that promise rejects or never settles.
      const cancelled = reader.cancel(reason)
      release()
      await cancelled
    },
    release,
    signal,
  )
}

function fromIterator(
  iterator: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string>,
  signal?: AbortSignal,
): OpenedSource {
  return wrap(
    async () => iterator.next(),
    async (_reason, reading) => {
      const returned = Promise.resolve(iterator.return?.())
      // An async generator queues return() behind a pending next(): waiting for it while a read is
      // stuck (the very case abort exists for) would never finish. Start it and move on.
      if (reading) returned.catch(() => {})
      else await returned
    },
    () => {},
    signal,
  )
}

function wrap(
  read: () => Promise<IteratorResult<Uint8Array | string>>,
  cancelUpstream: (reason: unknown, reading: boolean) => Promise<void>,
  release: () => void,
  signal?: AbortSignal,
): OpenedSource {
  // The upstream was cancelled or released: it is never touched again.
  let settled = false
  // The one cancellation of the upstream, returned to every later cancel() call.
  let cancelling: Promise<void> | undefined
  // A read is in flight.
  let reading = false
  // Rejects the read in flight with the abort reason (set only while one is).
  let abortReject: ((reason: unknown) => void) | undefined
  const onAbort = () => {
    const reason = signal?.reason
    abortReject?.(reason)
    void cancel(reason)
  }

  function cancel(reason?: unknown): Promise<void> {
    if (cancelling) return cancelling
    if (settled) return Promise.resolve()
    settled = true
    signal?.removeEventListener('abort', onAbort)
    cancelling = cancelUpstream(reason, reading).catch(() => {
      // The upstream may already be errored or closed; cancellation is best effort.
    })
    return cancelling
  }

  // A signal that fired before we could listen (while a Response's status was checked) never calls
  // onAbort: cancel now, and next() rejects with its reason.
  if (signal?.aborted) void cancel(signal.reason)
  else signal?.addEventListener('abort', onAbort, { once: true })

  return {
    async next() {
      if (signal?.aborted) {
        void cancel(signal.reason)
        throw signal.reason
      }
      if (settled) return { done: true, value: undefined }
      let result: IteratorResult<Uint8Array | string>
      reading = true
      try {
        if (!signal) result = await read()
        else {
          result = await new Promise<IteratorResult<Uint8Array | string>>((resolve, reject) => {
            abortReject = reject
            read().then(resolve, reject)
          })
        }
      } catch (cause) {
        if (signal?.aborted && cause === signal.reason) throw cause
        reading = false
        void cancel(cause)
        throw new DeltafoldError('stream_failed', `Reading the stream failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause,
        })
      } finally {
        reading = false
        abortReject = undefined
      }
      return result
    },
    cancel,
    close() {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      release()
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
