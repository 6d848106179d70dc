import { DeltafoldError } from '../errors.js'

/**
 * The abort contract for `signal.reason`: an extensible object is rejected as it is, with `partial`
 * attached (non-enumerable); a primitive or non-extensible reason (`controller.abort('stop')`, a
 * frozen object) is wrapped in a `DeltafoldError` with code `aborted`, the reason as its `cause`.
 * The same for every format: `partial` is whatever `snapshot` returns.
 *
 * @param reason - the signal's reason
 * @param snapshot - returns the result so far (completion, message or response)
 * @example
 * ```ts
 * import { abortReason, createChatCompletionAccumulator } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * abortReason('stop', acc.snapshot) // DeltafoldError { code: 'aborted', cause: 'stop', partial: {…} }
 * ```
 */
export function abortReason(reason: unknown, snapshot: () => unknown): unknown {
  if (reason instanceof DeltafoldError || (typeof reason === 'object' && reason !== null && Object.isExtensible(reason))) {
    return withPartial(reason, snapshot)
  }
  const detail = typeof reason === 'string' ? JSON.stringify(reason) : typeof reason === 'object' ? 'a frozen object' : String(reason)
  return new DeltafoldError('aborted', `The stream was aborted: ${detail}`, { cause: reason, partial: snapshot() })
}

/**
 * Attaches the partial result to an error leaving a pipeline: a `DeltafoldError` gets `partial`
 * when it has none; a foreign object (an abort reason, an upstream error) gets it as a non-enumerable
 * property and passes through otherwise unchanged, as does a primitive (an abort reason goes through
 * {@link abortReason} instead, which wraps primitives). Narrow the result with `hasPartial` or
 * `isDeltafoldError`.
 *
 * @param error - what was thrown
 * @param snapshot - returns the result so far (completion, message or response)
 * @example
 * ```ts
 * import { createChatCompletionAccumulator, withPartial } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * const reason = withPartial(new Error('aborted'), acc.snapshot) as Error & { partial: unknown }
 * reason.partial // { id: '', object: 'chat.completion', … }
 * ```
 */
export function withPartial(error: unknown, snapshot: () => unknown): unknown {
  if (error instanceof DeltafoldError) {
    error.partial ??= snapshot() as DeltafoldError['partial']
    return error
  }
  if (typeof error === 'object' && error !== null && Object.isExtensible(error) && !('partial' in error)) {
    // An abort reason (or another foreign error) passes through as it is, carrying the partial result.
    Object.defineProperty(error, 'partial', { value: snapshot(), enumerable: false, configurable: true, writable: true })
  }
  return error
}
