import { DeltafoldError } from '../../errors.js'
import type { OpenedSource, SourceItem } from '../open-byte-source.js'

/**
 * A failed read: an abort that reached the body through `fetch`'s own signal (the read rejects with
 * an `AbortError` or `TimeoutError`) is `aborted`, anything else `stream_failed`; the cause is kept.
 */
function readError(cause: unknown): DeltafoldError {
  const name = typeof cause === 'object' && cause !== null ? (cause as { name?: unknown }).name : undefined
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new DeltafoldError('aborted', `The request was aborted while the body was read: ${detail}`, { cause })
  }
  return new DeltafoldError('stream_failed', `Reading the stream failed: ${detail}`, { cause })
}

export function fromReader(reader: ReadableStreamDefaultReader<SourceItem>, signal?: AbortSignal): OpenedSource<SourceItem> {
  const release = () => {
    try {
      reader.releaseLock()
    } catch {
      // Already released.
    }
  }
  return wrap(
    () => reader.read() as Promise<IteratorResult<SourceItem>>, // Deno with @types/node in the program types read() as `value?: T`
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

export function fromIterator(iterator: AsyncIterator<SourceItem> | Iterator<SourceItem>, signal?: AbortSignal): OpenedSource<SourceItem> {
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
  read: () => Promise<IteratorResult<SourceItem>>,
  cancelUpstream: (reason: unknown, reading: boolean) => Promise<void>,
  release: () => void,
  signal?: AbortSignal,
): OpenedSource<SourceItem> {
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
      let result: IteratorResult<SourceItem>
      reading = true
      try {
        if (!signal) result = await read()
        else {
          result = await new Promise<IteratorResult<SourceItem>>((resolve, reject) => {
            abortReject = reject
            read().then(resolve, reject)
          })
        }
      } catch (cause) {
        if (signal?.aborted && cause === signal.reason) throw cause
        reading = false
        void cancel(cause)
        throw readError(cause)
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
