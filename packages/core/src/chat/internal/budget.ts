/**
 * The byte budget (`limits.maxBytes`): everything a stream makes the accumulator hold is counted as
 * it is received, and wire values are kept only through `keep`, which copies plain JSON data,
 * bounds its depth and counts its size.
 */
import type { AccumulatorState } from './accumulator-state.js'
import { fail, isPlainObject } from './values.js'

export function count(s: AccumulatorState, n: number, path: string): void {
  s.bytes += n
  if (s.bytes > s.maxBytes) fail('limit_exceeded', `Accumulated stream exceeds maxBytes (${s.maxBytes}): at ${path}`, path)
}

/**
 * Copies a wire value to keep it: plain JSON data only, `__proto__` keys dropped (JSON.parse makes
 * them own keys; assigning one would hit the prototype setter), depth bounded by maxDepth (so the
 * result always stringifies), and its size counted against maxBytes as it is copied (so a huge
 * array fails before it is all copied). Recursion is bounded by maxDepth.
 */
export function keep(s: AccumulatorState, value: unknown, path: string, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') {
    count(s, 4, path)
    return value
  }
  if (typeof value === 'number') {
    // JSON.parse turns 1e400 into Infinity, which JSON cannot write back: the result must stay JSON.
    if (!Number.isFinite(value)) fail('invalid_type', `Non-finite number at ${path}: ${String(value)} cannot be kept as JSON`, path)
    count(s, 8, path)
    return value
  }
  if (typeof value === 'string') {
    count(s, 2 + value.length, path)
    return value
  }
  if (value === undefined) return undefined
  if (typeof value !== 'object') fail('invalid_type', `Unsupported value at ${path}: ${typeof value} cannot be kept as JSON`, path)
  if (depth >= s.maxDepth) fail('max_depth', `Value at ${path} nests deeper than maxDepth (${s.maxDepth})`, path)
  count(s, 2, path)
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      count(s, 1, path)
      out.push(keep(s, value[i], path, depth + 1) ?? null)
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue
    const v = keep(s, (value as Record<string, unknown>)[key], path, depth + 1)
    if (v === undefined) continue
    count(s, key.length + 3, path)
    out[key] = v
  }
  return out
}

/** Merges a kept value into `target[key]`: objects deep-merge, otherwise the latest non-null wins. */
export function mergeValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === null || value === undefined) return
  const current = Object.hasOwn(target, key) ? target[key] : undefined
  if (isPlainObject(current) && isPlainObject(value)) {
    for (const k of Object.keys(value)) mergeValue(current, k, value[k])
  } else target[key] = value
}

/** Keeps every field of `raw` (the `...rest` of a destructured wire object) in `target`, merged; null values are skipped. */
export function keepExtras(
  s: AccumulatorState,
  raw: Record<string, unknown>,
  target: Record<string, unknown> | undefined,
  path: string,
): Record<string, unknown> | undefined {
  for (const key of Object.keys(raw)) {
    if (key === '__proto__') continue
    const value = keep(s, raw[key], `${path}.${key}`)
    if (value === null || value === undefined) continue
    // The name is kept too: a long unknown key must cost what it holds.
    count(s, key.length + 3, `${path}.${key}`)
    target ??= {}
    mergeValue(target, key, value)
  }
  return target
}
