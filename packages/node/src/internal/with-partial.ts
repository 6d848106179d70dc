import { DeltafoldError, type ChatCompletion } from '@deltafold/core'

/**
 * Attaches the partial completion to an error leaving a pipeline: a `DeltafoldError` gets `partial`
 * when it has none; a foreign object (an abort reason, an upstream error) gets it as a non-enumerable
 * property, so it passes through unchanged otherwise. Mirrors core's `withPartial`
 * (stream-chat-completion.ts), which core does not export.
 */
export function withPartial(error: unknown, snapshot: () => ChatCompletion): unknown {
  if (error instanceof DeltafoldError) {
    error.partial ??= snapshot()
    return error
  }
  if (typeof error === 'object' && error !== null && Object.isExtensible(error) && !('partial' in error)) {
    Object.defineProperty(error, 'partial', { value: snapshot(), enumerable: false, configurable: true, writable: true })
  }
  return error
}

/** A promise with its settle functions; its rejection is marked handled (nobody may ask for it). */
export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(reason: unknown): void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => {})
  return { promise, resolve, reject }
}
