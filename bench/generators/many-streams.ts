import { createRandom } from '../lib/random.js'
import { chunk, choice, words } from './common.js'

/**
 * The first events of many in-flight streams. All bytes live in one buffer with an offset table,
 * so that holding the input costs the heap a few objects, not one per event (a heap measurement
 * needs full GCs, whose cost grows with the number of live objects).
 */
export interface StreamPrefixes {
  streams: number
  eventsPerStream: number
  /** Every event of every stream, back to back. */
  bytes: Uint8Array
  /** `offsets[s * (eventsPerStream + 1) + e]`: where event `e` of stream `s` starts (one past the end at `e = eventsPerStream`). */
  offsets: Int32Array
  /** The content each stream has received so far. */
  contents: string[]
}

/** The bytes of each event of stream `s`, as views (one read per event). */
export function eventsOf(prefixes: StreamPrefixes, s: number): Uint8Array[] {
  const base = s * (prefixes.eventsPerStream + 1)
  const out: Uint8Array[] = []
  for (let e = 0; e < prefixes.eventsPerStream; e++)
    out.push(prefixes.bytes.subarray(prefixes.offsets[base + e]!, prefixes.offsets[base + e + 1]!))
  return out
}

/**
 * The first `eventsPerStream` events of `streams` different chat completions: a role chunk then
 * content chunks, no finish (the streams are still in flight).
 * @param options - seed, number of streams, events per stream
 */
export function generateStreamPrefixes(options: { seed: number; streams: number; eventsPerStream: number }): StreamPrefixes {
  const random = createRandom(options.seed)
  const encoder = new TextEncoder()
  const parts: string[] = []
  const lengths: number[] = []
  const contents: string[] = []
  for (let s = 0; s < options.streams; s++) {
    const events = [`data: ${JSON.stringify(chunk([choice({ role: 'assistant', content: '', refusal: null })]))}\n\n`]
    let content = ''
    for (let e = 1; e < options.eventsPerStream; e++) {
      const text = words(random)
      content += text
      events.push(`data: ${JSON.stringify(chunk([choice({ content: text })]))}\n\n`)
    }
    for (const event of events) {
      parts.push(event)
      lengths.push(encoder.encode(event).length)
    }
    contents.push(content)
  }
  const bytes = encoder.encode(parts.join(''))
  const offsets = new Int32Array(options.streams * (options.eventsPerStream + 1))
  let offset = 0
  let k = 0
  for (let s = 0; s < options.streams; s++) {
    for (let e = 0; e < options.eventsPerStream; e++) {
      offsets[s * (options.eventsPerStream + 1) + e] = offset
      offset += lengths[k++]!
    }
    offsets[s * (options.eventsPerStream + 1) + options.eventsPerStream] = offset
  }
  return { streams: options.streams, eventsPerStream: options.eventsPerStream, bytes, offsets, contents }
}
