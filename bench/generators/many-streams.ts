import { createRandom } from '../lib/random.js'
import { chunk, choice, words } from './common.js'

/** The first events of many in-flight streams, each event's bytes separately (one read per event). */
export interface StreamPrefixes {
  /** `events[s][e]`: the bytes of event `e` of stream `s`. */
  events: Uint8Array[][]
  /** The content each stream has received so far. */
  contents: string[]
}

/**
 * The first `eventsPerStream` events of `streams` different chat completions: a role chunk then
 * content chunks, no finish (the streams are still in flight).
 * @param options - seed, number of streams, events per stream
 */
export function generateStreamPrefixes(options: { seed: number; streams: number; eventsPerStream: number }): StreamPrefixes {
  const random = createRandom(options.seed)
  const encoder = new TextEncoder()
  const events: Uint8Array[][] = []
  const contents: string[] = []
  for (let s = 0; s < options.streams; s++) {
    const list = [encoder.encode(`data: ${JSON.stringify(chunk([choice({ role: 'assistant', content: '', refusal: null })]))}\n\n`)]
    let content = ''
    for (let e = 1; e < options.eventsPerStream; e++) {
      const text = words(random)
      content += text
      list.push(encoder.encode(`data: ${JSON.stringify(chunk([choice({ content: text })]))}\n\n`))
    }
    events.push(list)
    contents.push(content)
  }
  return { events, contents }
}
