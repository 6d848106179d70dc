/**
 * Makes `stream` async-iterable where the runtime's `ReadableStream` lacks `[Symbol.asyncIterator]`
 * (Safari before 18.x); elsewhere returns it untouched. Follows the spec's `values()`: leaving the
 * loop early cancels the stream (unless `preventCancel`) and the lock is released in every case.
 */
export function ensureAsyncIterable<T>(stream: ReadableStream<T>, force = false): ReadableStream<T> & AsyncIterable<T> {
  const iterable = stream as ReadableStream<T> & AsyncIterable<T>
  if (!force && typeof iterable[Symbol.asyncIterator] === 'function') return iterable
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: (options?: { preventCancel?: boolean }) => readableValues(stream, options?.preventCancel === true),
    configurable: true,
    writable: true,
  })
  return iterable
}

function readableValues<T>(stream: ReadableStream<T>, preventCancel: boolean): AsyncIterableIterator<T> {
  const reader = stream.getReader()
  // The iterator finished (end, error or return): the lock is released and nothing is read again.
  let finished = false
  const release = () => {
    finished = true
    reader.releaseLock()
  }
  return {
    async next(): Promise<IteratorResult<T>> {
      if (finished) return { done: true, value: undefined }
      let result: ReadableStreamReadResult<T>
      try {
        result = await reader.read()
      } catch (error) {
        release()
        throw error
      }
      if (result.done) release()
      return result.done ? { done: true, value: undefined } : { done: false, value: result.value }
    },
    async return(value?: unknown): Promise<IteratorResult<T>> {
      if (!finished) {
        if (preventCancel) release()
        else {
          // cancel() settles pending reads at once, so releasing right after it cannot strand one.
          const cancelled = reader.cancel(value)
          release()
          await cancelled
        }
      }
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
