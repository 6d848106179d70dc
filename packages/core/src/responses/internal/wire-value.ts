import { DeltafoldError } from '../../errors.js'

/**
 * Copies a JSON value from the wire into an object the fold owns: plain objects and arrays only,
 * own keys only, a `__proto__` key defined as an own data property (plain assignment would set the
 * copy's prototype), nesting checked against `maxDepth`. Returns the copy and adds its approximate
 * JSON size (string lengths plus a few units per value) to `size.bytes`, so that one pass both
 * guards and measures. Linear in the value.
 */
export function copyWire(value: unknown, maxDepth: number, size: { bytes: number }, path: string): unknown {
  return copy(value, maxDepth, size, path, 0)
}

function copy(value: unknown, maxDepth: number, size: { bytes: number }, path: string, depth: number): unknown {
  if (typeof value === 'string') {
    size.bytes += value.length + 2
    return value
  }
  if (typeof value !== 'object' || value === null) {
    size.bytes += 8
    return value
  }
  if (depth >= maxDepth) {
    throw new DeltafoldError('max_depth', `A value nests deeper than maxDepth (${maxDepth}) at ${path}`, { path })
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], maxDepth, size, path, depth + 1)
    size.bytes += 2 + value.length
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    size.bytes += key.length + 4
    setOwn(out, key, copy((value as Record<string, unknown>)[key], maxDepth, size, path, depth + 1))
  }
  return out
}

/** Sets `key` on `target` as an own data property, even when `key` is `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A deep copy of a value the fold already checked (no depth or size accounting): for snapshots. */
export function cloneChecked<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) out[i] = cloneChecked(value[i])
    return out as T
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) setOwn(out, key, cloneChecked((value as Record<string, unknown>)[key]))
  return out as T
}

/** Whether `value` is a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A wire value for an error message: a string quoted (clipped at 40 characters), otherwise its kind or value. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : String(value)
}
