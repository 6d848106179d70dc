/** Returns the size of the next fragment, in code points. */
export type NextFragmentSize = () => number

/** The `fragmentSize` option (typed publicly as `FragmentSize` in split-chat-completion.ts). */
type FragmentSizeOption = number | (() => number) | { min?: number; max: number; seed?: number }

/** Turns the `fragmentSize` option into a function, validating it (misuse throws `TypeError`). */
export function fragmentSizer(option: FragmentSizeOption | undefined, fallback: number): NextFragmentSize {
  if (option === undefined) return () => fallback
  if (typeof option === 'number') {
    if (!isPositiveInteger(option)) throw new TypeError(`fragmentSize must be a positive integer, got ${String(option)}`)
    return () => option
  }
  if (typeof option === 'function') {
    return () => {
      const size = option()
      if (!isPositiveInteger(size)) {
        throw new TypeError(`fragmentSize() must return a positive integer, got ${typeof size === 'number' ? String(size) : typeof size}`)
      }
      return size
    }
  }
  if (typeof option === 'object' && option !== null) {
    const min = option.min ?? 1
    const max = option.max
    if (!isPositiveInteger(min) || !isPositiveInteger(max) || min > max) {
      throw new TypeError(
        `fragmentSize needs integers 1 <= min <= max, got min ${String(min)} and max ${String(max)}: { min: 1, max: 8, seed: 42 }`,
      )
    }
    const random = mulberry32(option.seed ?? 0)
    const span = max - min + 1
    return () => min + Math.floor(random() * span)
  }
  throw new TypeError(`fragmentSize must be a number, a function or { min, max, seed }, got ${option === null ? 'null' : typeof option}`)
}

/**
 * Cuts `text` into fragments of `nextSize()` code points each (the last may be shorter), never
 * between the two halves of a surrogate pair: a server streams whole characters. `''` gives `[]`.
 */
export function fragmentText(text: string, nextSize: NextFragmentSize): string[] {
  const pieces: string[] = []
  const length = text.length
  let start = 0
  while (start < length) {
    let count = nextSize()
    let end = start
    while (count > 0 && end < length) {
      const c = text.charCodeAt(end)
      if (c >= 0xd800 && c <= 0xdbff && end + 1 < length) {
        const d = text.charCodeAt(end + 1)
        end += d >= 0xdc00 && d <= 0xdfff ? 2 : 1
      } else end++
      count--
    }
    pieces.push(text.slice(start, end))
    start = end
  }
  return pieces
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** Mulberry32: a tiny, fast, well-distributed 32-bit PRNG; deterministic across runtimes. */
function mulberry32(seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
