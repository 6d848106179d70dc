/**
 * The floor: the least work that still turns these bytes into chunk objects. `TextDecoder` in stream
 * mode, `indexOf('\n')` line framing with fragments joined only when a line spans chunks (linear on
 * long lines), `data: ` lines `JSON.parse`d. It assumes what these workloads send (LF line ends, one
 * data line per event, no comments or other fields) so it is not a correct SSE parser: nothing
 * correct can be much faster.
 */
import { createHandAccumulator, type HandCompletion, type LooseChunk } from './hand-accumulator.js'

const DATA_PREFIX = 'data: '

/**
 * Frames lines and parses each payload; calls `onChunk` for every JSON payload.
 * @param chunks - the body as network chunks
 * @param onChunk - receives each parsed payload
 * @returns the number of payloads (events) seen, `[DONE]` included
 */
export function floorParse(chunks: readonly Uint8Array[], onChunk: (chunk: LooseChunk) => void): number {
  const decoder = new TextDecoder()
  const pending: string[] = []
  let events = 0
  const line = (text: string): void => {
    if (!text.startsWith(DATA_PREFIX)) return
    events++
    const payload = text.slice(6)
    if (payload === '[DONE]') return
    onChunk(JSON.parse(payload) as LooseChunk)
  }
  for (const bytes of chunks) {
    const text = decoder.decode(bytes, { stream: true })
    let pos = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      if (pending.length > 0) {
        pending.push(text.slice(pos, nl))
        line(pending.join(''))
        pending.length = 0
      } else if (nl > pos) line(text.slice(pos, nl))
      pos = nl + 1
    }
    if (pos < text.length) pending.push(text.slice(pos))
  }
  const rest = decoder.decode()
  if (rest !== '') pending.push(rest)
  if (pending.length > 0) line(pending.join(''))
  return events
}

/** Floor without accumulation: the result is the number of events and the last chunk (sunk). */
export function floor(chunks: readonly Uint8Array[]): { events: number; last: unknown } {
  let last: unknown
  const events = floorParse(chunks, (chunk) => {
    last = chunk
  })
  return { events, last }
}

/** Floor plus the hand accumulation. */
export function floorAccumulate(chunks: readonly Uint8Array[]): HandCompletion {
  const accumulator = createHandAccumulator()
  floorParse(chunks, accumulator.push)
  return accumulator.result()
}

/**
 * SSE framing only (no JSON.parse): the floor of decoding alone. Counts events and sums data lengths.
 * @param chunks - the body as network chunks (bytes) or decoded text
 */
export function floorFrame(chunks: readonly (Uint8Array | string)[]): { events: number; dataLength: number } {
  const decoder = new TextDecoder()
  const pending: string[] = []
  let events = 0
  let dataLength = 0
  const line = (text: string): void => {
    if (!text.startsWith(DATA_PREFIX)) return
    events++
    dataLength += text.slice(6).length
  }
  for (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let pos = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      if (pending.length > 0) {
        pending.push(text.slice(pos, nl))
        line(pending.join(''))
        pending.length = 0
      } else if (nl > pos) line(text.slice(pos, nl))
      pos = nl + 1
    }
    if (pos < text.length) pending.push(text.slice(pos))
  }
  if (pending.length > 0) line(pending.join(''))
  return { events, dataLength }
}
