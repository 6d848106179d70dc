import { DeltafoldError, ProviderError } from '../errors.js'
import { HeadCollector, notEventStream } from './input-head.js'
import { fromReader } from './internal/pull-source.js'

/** What {@link checkResponse} reads of a response: a `Response`, or any object with these fields. */
export type ResponseLike = Pick<Response, 'ok' | 'status' | 'headers' | 'text'> & {
  readonly body?: ReadableStream<Uint8Array> | null
  readonly bodyUsed?: boolean
}

/** How much of an error body is read before the rest is cancelled: 64 KiB. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024

// Content types that are never an event stream: HTML error pages, XML (S3-style proxies).
const NOT_A_STREAM = /^(?:text\/html|application\/xhtml\+xml|text\/xml|application\/xml)\b/i

/**
 * Checks a response before its body is read as an event stream, and throws:
 * - `body_unreadable` (`DeltafoldError`) when the body was already read (`bodyUsed`) or is locked;
 * - `http_error` (`ProviderError`) for a non-2xx status: the parsed body (or its text) is the error's
 *   `error`, the status its `status`, the headers its `headers`;
 * - `not_event_stream` for a 2xx HTML or XML page, quoting its head.
 *
 * A 2xx JSON body passes: the stream parser tells a provider error body from a non-streamed
 * completion. Reads at most 64 KiB of an error body and cancels the rest, so a hostile error body
 * cannot exhaust memory.
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
  if (response.bodyUsed === true || response.body?.locked === true) {
    throw new DeltafoldError(
      'body_unreadable',
      `The response body was already ${response.bodyUsed === true ? 'read' : 'locked by a reader'}: a body can be read once; clone() the response before reading it twice`,
    )
  }
  const type = response.headers.get('content-type') ?? ''
  if (response.ok && !NOT_A_STREAM.test(type)) return
  const text = await readErrorBody(response, signal)
  const headers = responseHeaders(response)
  if (response.ok) {
    const head = new HeadCollector()
    head.add(text)
    const error = notEventStream(head.value(), `the response is ${JSON.stringify(type)}`)
    throw error
  }
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
      : typeof inner === 'string' && inner !== text
        ? inner
        : text.slice(0, 200)
  throw new ProviderError('http_error', `The provider answered with HTTP ${response.status}: ${detail}`, body, {
    status: response.status,
    headers,
  })
}

/**
 * The headers of a response as a plain object (lower-case names), for `ProviderError.headers`.
 *
 * @param response - anything with `headers.forEach`
 * @example
 * ```ts
 * import { responseHeaders } from '@deltafold/core'
 * responseHeaders(new Response('', { headers: { 'X-Request-Id': 'req_1' } }))['x-request-id'] // 'req_1'
 * ```
 */
export function responseHeaders(response: Pick<Response, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {}
  try {
    response.headers.forEach((value, name) => {
      if (name !== '__proto__') out[name.toLowerCase()] = value
    })
  } catch {
    // A response-like object without forEach: no headers to report.
  }
  return out
}

/**
 * Reads at most `max` bytes of a response body as text (an error body), then cancels the rest.
 * Never rejects but on abort (with `signal.reason`): a body that fails or was already read gives
 * what arrived (or `''`).
 *
 * @param response - the response whose body to read
 * @param signal - aborts the read
 * @param max - bytes to read at most
 * @defaultValue max 64 KiB ({@link MAX_ERROR_BODY_BYTES})
 * @example
 * ```ts
 * import { readErrorBody } from '@deltafold/core'
 * await readErrorBody(new Response('upstream timeout', { status: 502 })) // 'upstream timeout'
 * ```
 */
export async function readErrorBody(response: ResponseLike, signal?: AbortSignal, max = MAX_ERROR_BODY_BYTES): Promise<string> {
  signal?.throwIfAborted()
  const body = response.body
  if (body === undefined || body === null || typeof body.getReader !== 'function') {
    return raceAbort(response.text(), signal).then(
      (text) => text.slice(0, max),
      (error: unknown) => {
        if (signal?.aborted && error === signal.reason) throw error
        return ''
      },
    )
  }
  // Locked or already read (bodyUsed): there is no body left to report.
  if (body.locked) return ''
  const input = fromReader(body.getReader() as ReadableStreamDefaultReader<Uint8Array | string>, signal)
  const decoder = new TextDecoder()
  const parts: string[] = []
  let size = 0
  try {
    while (size < max) {
      const result = await input.next()
      if (result.done) break
      const chunk = result.value
      if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) break
      size += typeof chunk === 'string' ? chunk.length : chunk.byteLength
      parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }))
    }
    parts.push(decoder.decode())
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error
    // The body failed mid-way: report what arrived.
  } finally {
    void input.cancel()
  }
  const text = parts.join('')
  return text.length > max ? text.slice(0, max) : text
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
