/** Small value helpers of the normalizer (private to core's gateway folder). */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A copy of a wire value without `__proto__` keys (JSON.parse makes them own keys; the fold drops
 * them), so that what the normalizer writes folds as the input did. Depth is bounded by the
 * accumulator's `maxDepth`, which checked the value first.
 */
export function plainCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(plainCopy)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue
    out[key] = plainCopy((value as Record<string, unknown>)[key])
  }
  return out
}

/** `target[key]` merged with `value` as the fold merges usage: objects deep-merge, the latest non-null wins. */
export function mergeInto(target: Record<string, unknown> | undefined, key: string, value: unknown): Record<string, unknown> | undefined {
  if (value === null || value === undefined) return target
  const out = target ?? {}
  const current = Object.hasOwn(out, key) ? out[key] : undefined
  if (isPlainObject(current) && isPlainObject(value)) {
    for (const k of Object.keys(value)) mergeInto(current, k, value[k])
  } else out[key] = value
  return out
}

/** The finish_reason synthesized for a choice the provider never finished, on a clean end. */
export function toolCallsFinish(choice: { hasCalls: boolean; hasFunctionCall: boolean }): string {
  if (choice.hasCalls) return 'tool_calls'
  return choice.hasFunctionCall ? 'function_call' : 'stop'
}
