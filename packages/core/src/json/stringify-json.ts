/**
 * `JSON.stringify` for plain JSON data, except that `-0` is written as `-0`. `JSON.parse('-0')` is
 * `-0` and the accumulator keeps it (a Python server writes `-0.0` for a negated zero logprob), while
 * `JSON.stringify(-0)` is `"0"`: without this a re-encoded completion would not deep-equal the original.
 * Strings go through the native `JSON.stringify`, so the bulk of the work stays native.
 */
export function stringifyJSON(value: unknown): string {
  const parts: string[] = []
  const ancestors = new Set<object>()
  write(value, parts, ancestors)
  return parts.join('')
}

function write(value: unknown, parts: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      parts.push(JSON.stringify(value))
      return
    case 'number':
      parts.push(Object.is(value, -0) ? '-0' : Number.isFinite(value) ? String(value) : 'null')
      return
    case 'boolean':
      parts.push(value ? 'true' : 'false')
      return
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt')
    case 'object':
      break
    default:
      // undefined, functions and symbols: written as null where a value is required (arrays, top level).
      parts.push('null')
      return
  }
  if (value === null) {
    parts.push('null')
    return
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return write(toJSON.call(value), parts, ancestors)
  if (ancestors.has(value)) throw new TypeError('Converting circular structure to JSON')
  ancestors.add(value)
  if (Array.isArray(value)) {
    parts.push('[')
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(',')
      write(value[i], parts, ancestors)
    }
    parts.push(']')
  } else {
    parts.push('{')
    let first = true
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key]
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
      parts.push(first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':')
      first = false
      write(v, parts, ancestors)
    }
    parts.push('}')
  }
  ancestors.delete(value)
}
