// The Responses fold's limits: defaults (documented on ResponseLimits) and the option check.

export const DEFAULT_MAX_OUTPUT_ITEMS = 4096
export const DEFAULT_MAX_PARTS = 4096
export const DEFAULT_MAX_DEPTH = 64
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

/** A limit option, or its default when left out; anything but a positive number is a TypeError saying what to pass. */
export function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`limits.${name} must be a positive number, got ${String(value)}: pass a count such as ${fallback}`)
  }
  return value
}
