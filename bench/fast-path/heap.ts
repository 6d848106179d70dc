import { writeHeapSnapshot } from 'node:v8'
import { createChatCompletionStreamParser } from '@deltafold/core'
import { eventsOf, generateStreamPrefixes } from '../generators/many-streams.js'
const n = 2000
const prefixes = generateStreamPrefixes({ seed: 9, streams: n, eventsPerStream: 20 })
const fastPath = process.argv[2] !== 'generic'
const holders: unknown[] = []
for (let s = 0; s < n; s++) {
  const parser = createChatCompletionStreamParser({ fastPath })
  for (const bytes of eventsOf(prefixes, s)) parser.feed(bytes)
  holders.push(parser)
}
;(globalThis as any).gc()
console.log(writeHeapSnapshot(`/tmp/heap-${fastPath ? 'fast' : 'generic'}.heapsnapshot`))
;(globalThis as any).keep = holders
