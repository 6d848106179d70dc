import type { Readable } from 'node:stream'

const NONE: unique symbol = Symbol('none')

/**
 * A pull iterator over a Node `Readable` for core's `openSource`. Unlike `readable[Symbol.asyncIterator]`
 * (an async generator, whose `return()` waits behind a pending `next()`), `return()` destroys the
 * stream at once, so an abort while the network is silent closes the socket immediately. Data is read
 * only when `next()` is called: the stream stays paused, so TCP backpressure applies.
 */
export function readableIterator(readable: Readable): AsyncIterator<Uint8Array | string> {
  // The stream emitted 'end': read() returning null means the data is over.
  let ended = readable.readableEnded
  // The stream failed or closed before 'end'.
  let failure: unknown = readable.errored ?? (readable.destroyed && !ended ? prematureClose() : NONE)
  // return() was called: the iterator is finished and the listeners removed.
  let returned = false
  let wake: (() => void) | undefined
  const notify = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  const onEnd = () => {
    ended = true
    notify()
  }
  const onError = (error: unknown) => {
    if (failure === NONE) failure = error
    notify()
  }
  const onClose = () => {
    if (!ended && failure === NONE) failure = readable.errored ?? prematureClose()
    notify()
  }
  readable.on('readable', notify)
  readable.on('end', onEnd)
  readable.on('error', onError)
  readable.on('close', onClose)
  const cleanup = () => {
    readable.off('readable', notify)
    readable.off('end', onEnd)
    readable.off('error', onError)
    readable.off('close', onClose)
  }

  return {
    async next() {
      for (;;) {
        if (returned) return { done: true, value: undefined }
        const chunk: unknown = readable.destroyed ? null : readable.read()
        if (chunk !== null) return { done: false, value: chunk as Uint8Array | string }
        if (failure !== NONE) {
          cleanup()
          throw failure
        }
        if (ended) {
          cleanup()
          return { done: true, value: undefined }
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    },
    async return() {
      if (!returned) {
        returned = true
        cleanup()
        if (!ended && !readable.destroyed) {
          // An error from destroy() itself (a custom _destroy failing) comes after we stopped reading:
          // swallow it until 'close' instead of letting it become an uncaught exception.
          const swallow = () => {}
          readable.once('error', swallow)
          readable.once('close', () => readable.off('error', swallow))
          readable.destroy()
        }
        notify()
      }
      return { done: true, value: undefined }
    },
  }
}

function prematureClose(): Error {
  return Object.assign(new Error('The stream closed before it ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })
}
