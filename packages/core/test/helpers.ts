import { createSSEDecoder, type ServerSentEvent, type SSEDecoderOptions } from '@deltafold/core'

/** Everything a decoder reported for one input, in order of arrival per kind. */
export interface DecodeResult {
  events: ServerSentEvent[]
  comments: string[]
  retries: number[]
  /** `position()` read inside each `onEvent`, index-aligned with `events`. */
  positions: number[]
  /** What `feed()` or `end()` threw, if anything; the lists hold what was delivered before it. */
  error?: unknown
}

/** Feeds `chunks` to a fresh decoder in order, then calls `end()`; never throws. */
export function decodeChunks(chunks: Iterable<string | Uint8Array>, options?: SSEDecoderOptions): DecodeResult {
  const result: DecodeResult = { events: [], comments: [], retries: [], positions: [] }
  const decoder = createSSEDecoder(
    {
      onEvent(event) {
        result.events.push(event)
        result.positions.push(decoder.position())
      },
      onComment: (text) => result.comments.push(text),
      onRetry: (ms) => result.retries.push(ms),
    },
    options,
  )
  try {
    for (const chunk of chunks) decoder.feed(chunk)
    decoder.end()
  } catch (error) {
    result.error = error
  }
  return result
}

const encoder = new TextEncoder()

/** UTF-8 bytes of the parts in order: strings are encoded, number arrays are raw bytes (`[0xef, 0xbb]`). */
export function bytes(...parts: Array<string | readonly number[]>): Uint8Array {
  const encoded = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : Uint8Array.from(part)))
  const out = new Uint8Array(encoded.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of encoded) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Splits into pieces of `n` bytes (or UTF-16 code units for a string); the last piece may be shorter. */
export function splitEvery<T extends string | Uint8Array>(input: T, n: number): T[] {
  if (!(n >= 1)) throw new RangeError(`splitEvery needs n >= 1, got ${n}`)
  const positions: number[] = []
  for (let at = n; at < input.length; at += n) positions.push(at)
  return splitAt(input, positions)
}

/**
 * Splits at the given offsets (bytes, or UTF-16 code units for a string). Offsets are sorted, and
 * duplicates and offsets outside `1..length-1` are dropped, so no piece is empty.
 */
export function splitAt<T extends string | Uint8Array>(input: T, positions: Iterable<number>): T[] {
  const cuts = [...new Set(positions)].filter((at) => at > 0 && at < input.length).sort((a, b) => a - b)
  const pieces: T[] = []
  let start = 0
  for (const at of [...cuts, input.length]) {
    pieces.push(slice(input, start, at))
    start = at
  }
  return pieces
}

function slice<T extends string | Uint8Array>(input: T, start: number, end: number): T {
  return (typeof input === 'string' ? input.slice(start, end) : (input as Uint8Array).subarray(start, end)) as T
}
