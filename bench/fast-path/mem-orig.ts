import { createChatCompletionStreamParser } from '@deltafold/core'
import { eventsOf, generateStreamPrefixes } from '../generators/many-streams.js'
const gc = (globalThis as any).gc as () => void
const streams = 10_000
const prefixes = generateStreamPrefixes({ seed: 9, streams, eventsPerStream: 20 })
const opts = process.argv[2] === 'generic' ? { fastPath: false } : {}
const xs: number[] = []
for (let r = 0; r < 3; r++) {
  const holders: unknown[] = new Array(streams)
  gc(); gc()
  const before = process.memoryUsage().heapUsed
  for (let s = 0; s < streams; s++) {
    const parser = createChatCompletionStreamParser(opts as {})
    for (const bytes of eventsOf(prefixes, s)) parser.feed(bytes)
    holders[s] = parser
  }
  gc(); gc()
  xs.push((process.memoryUsage().heapUsed - before) / streams)
  ;(globalThis as any).keep = holders
}
xs.sort((a, b) => a - b)
console.log(process.argv[2] ?? 'default', xs.map((x) => x.toFixed(0)).join(' '))
