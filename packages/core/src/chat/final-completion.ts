import { DeltafoldError } from '../errors.js'
import { withPartial } from '../source/with-partial.js'
import type { ChatCompletion } from './types.js'

/** The object returned by {@link createFinalCompletion}. */
export interface FinalCompletion {
  /** Resolves with the completion or rejects with the first failure; its rejection is marked handled. */
  readonly promise: Promise<ChatCompletion>
  /** The promise is settled: later calls change nothing. */
  readonly settled: boolean
  /** Resolves the promise (once). */
  resolve(completion: ChatCompletion): void
  /** Attaches `partial` to `error` (see `withPartial`), rejects the promise with it (once) and returns it. */
  fail(error: unknown): unknown
  /** Rejects (once) with a `DeltafoldError` (`aborted`) saying `message`, carrying `cause` and `partial`. */
  abort(message: string, cause: unknown): void
}

/**
 * The final-completion sink of a streaming entry point: the promise behind `finalChatCompletion()`,
 * settled once, every failure carrying the completion so far. The web streams, `fromResponse` and the
 * node transforms share it, so `aborted` errors and `partial` read the same everywhere.
 *
 * @param snapshot - returns the completion so far
 * @example
 * ```ts
 * import { createChatCompletionAccumulator, createFinalCompletion } from '@deltafold/core'
 * const accumulator = createChatCompletionAccumulator()
 * const final = createFinalCompletion(accumulator.snapshot)
 * final.abort('The consumer went away', 'closed')
 * await final.promise.catch((e) => e.code) // 'aborted'
 * ```
 */
export function createFinalCompletion(snapshot: () => ChatCompletion): FinalCompletion {
  return new Final(snapshot)
}

class Final implements FinalCompletion {
  readonly promise: Promise<ChatCompletion>
  settled = false
  readonly #snapshot: () => ChatCompletion
  #resolve!: (completion: ChatCompletion) => void
  #reject!: (reason: unknown) => void

  constructor(snapshot: () => ChatCompletion) {
    this.#snapshot = snapshot
    this.promise = new Promise<ChatCompletion>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    // Nobody may ask for the final completion: no unhandled rejection for it.
    this.promise.catch(() => {})
  }

  resolve(completion: ChatCompletion): void {
    if (this.settled) return
    this.settled = true
    this.#resolve(completion)
  }

  fail(error: unknown): unknown {
    const wrapped = withPartial(error, this.#snapshot)
    if (!this.settled) {
      this.settled = true
      this.#reject(wrapped)
    }
    return wrapped
  }

  abort(message: string, cause: unknown): void {
    if (this.settled) return
    this.settled = true
    this.#reject(new DeltafoldError('aborted', message, { cause, partial: this.#snapshot() }))
  }
}
