/** Small helpers on wire values shared by the fold's steps: errors with a path, type checks, copies. */
import { DeltafoldError, type DeltafoldErrorCode } from '../../errors.js'

export function fail(code: DeltafoldErrorCode, message: string, path: string): never {
  throw new DeltafoldError(code, message, { path })
}

export function validIndex(value: unknown, limit: number, what: string, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < limit) return value
  fail('invalid_index', `Invalid ${what} index at ${path}: expected an integer from 0 to ${limit - 1}, got ${describe(value)}`, path)
}

export function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string')
    fail('invalid_type', `Expected ${path.slice(path.lastIndexOf('.') + 1)} to be a string, got ${describe(value)}`, path)
  return value
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return typeof value === 'object' ? 'an object' : typeof value
}

/** Deep copy of data the accumulator kept (plain JSON, bounded depth, no `__proto__` keys). */
export function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(clone) as T
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key])
  return out as T
}

/** Copies kept extras onto an output object, except the fields the output owns. */
export function copyExtras(extras: Record<string, unknown>, out: Record<string, unknown>, owned: Set<string>): void {
  for (const key of Object.keys(extras)) if (!owned.has(key)) out[key] = clone(extras[key])
}
