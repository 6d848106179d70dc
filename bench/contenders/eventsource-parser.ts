/**
 * eventsource-parser 4.1.3: `createParser` fed text from a streaming `TextDecoder` (it takes strings
 * only), `JSON.parse` of each event's data, and the hand accumulation.
 */
import { createParser } from 'eventsource-parser'
import { createHandAccumulator, type HandCompletion, type LooseChunk } from './hand-accumulator.js'

/** Bytes → final completion. */
export function eventsourceParserAccumulate(chunks: readonly Uint8Array[]): HandCompletion {
  const accumulator = createHandAccumulator()
  let done = false
  const parser = createParser({
    onEvent(event) {
      if (done) return
      if (event.data === '[DONE]') done = true
      else accumulator.push(JSON.parse(event.data) as LooseChunk)
    },
  })
  const decoder = new TextDecoder()
  for (const bytes of chunks) parser.feed(decoder.decode(bytes, { stream: true }))
  parser.feed(decoder.decode())
  parser.reset({ consume: true })
  return accumulator.result()
}

/**
 * SSE decoding alone: counts events and sums data lengths.
 * @param chunks - bytes (decoded with a streaming `TextDecoder`, the only way to feed it bytes) or text
 */
export function eventsourceParserDecode(chunks: readonly (Uint8Array | string)[]): { events: number; dataLength: number } {
  let events = 0
  let dataLength = 0
  const parser = createParser({
    onEvent(event) {
      events++
      dataLength += event.data.length
    },
  })
  const decoder = new TextDecoder()
  for (const chunk of chunks) parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
  parser.reset({ consume: true })
  return { events, dataLength }
}
