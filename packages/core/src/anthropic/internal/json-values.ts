import { DeltafoldError } from '../../errors.js'

// The wire-value guards are chat's, shared by every format.
export { describe, isPlainObject } from '../../chat/internal/values.js'

/** What {@link copyJSON} counts against and fails with. */
export interface CopyBudget {
  /** Adds `n` to the bytes received; throws `limit_exceeded` past the limit. */
  count(n: number, path: string): void
  readonly maxDepth: number
}

/**
 * Copies a wire value to keep it: plain JSON data only, `__proto__` keys dropped (JSON.parse makes them
 * own keys; assigning one would hit the prototype setter), nesting bounded by `maxDepth` (so the result
 * always stringifies and the recursion here is bounded), and its size counted as it is copied (so a huge
 * array fails before it is all copied).
 */
export function copyJSON(budget: CopyBudget, value: unknown, path: string, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') {
    budget.count(4, path)
    return value
  }
  if (typeof value === 'number') {
    // JSON.parse turns 1e400 into Infinity, which JSON cannot write back: the result must stay JSON.
    if (!Number.isFinite(value))
      throw new DeltafoldError('invalid_type', `Non-finite number at ${path}: ${String(value)} cannot be kept as JSON`, { path })
    budget.count(8, path)
    return value
  }
  if (typeof value === 'string') {
    budget.count(2 + value.length, path)
    return value
  }
  if (value === undefined) return undefined
  if (typeof value !== 'object')
    throw new DeltafoldError('invalid_type', `Unsupported value at ${path}: ${typeof value} cannot be kept as JSON`, { path })
  if (depth >= budget.maxDepth)
    throw new DeltafoldError('max_depth', `Value at ${path} nests deeper than maxDepth (${budget.maxDepth})`, { path })
  budget.count(2, path)
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      budget.count(1, path)
      out.push(copyJSON(budget, value[i], path, depth + 1) ?? null)
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue
    const v = copyJSON(budget, (value as Record<string, unknown>)[key], path, depth + 1)
    if (v === undefined) continue
    budget.count(key.length + 3, path)
    out[key] = v
  }
  return out
}

/**
 * Deep copy of JSON data the fold holds. Tool input comes from `JSON.parse`, which keeps a `"__proto__"`
 * key as an own property: it is copied as one (defineProperty), never through the prototype setter.
 * Recursion is bounded: every value held passed a depth check.
 */
export function cloneJSON<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(cloneJSON) as T
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const v = cloneJSON((value as Record<string, unknown>)[key])
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, configurable: true, writable: true })
    else out[key] = v
  }
  return out as T
}

/**
 * Throws `max_depth` when a parsed value nests deeper than `maxDepth`. Iterative: `JSON.parse` copes
 * with nesting far deeper than any recursion over its result could (hostile-inputs J1).
 */
export function checkDepth(value: unknown, maxDepth: number, path: string): void {
  if (typeof value !== 'object' || value === null) return
  const stack: Array<[object, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > maxDepth) throw new DeltafoldError('max_depth', `Value at ${path} nests deeper than maxDepth (${maxDepth})`, { path })
    const children = Array.isArray(node) ? node : Object.values(node)
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
}
