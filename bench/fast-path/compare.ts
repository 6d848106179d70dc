/**
 * Quick comparison of deltafold's chunk fast path against the generic path (`fastPath: false`), the
 * floor (TextDecoder + indexOf framing + JSON.parse) and eventsource-parser, on the bench's own
 * chat-text, tool-args and parallel-tools workloads: bytes → final completion, median of N timed
 * runs per contender in one process (contender order rotated every round, full GC before each run,
 * outside the timed window). Every contender is checked against the generator's ground truth first.
 *
 * With `memory` among the scenarios it also measures heap per idle in-flight stream as the bench's
 * many-streams scenario does (10,000 streams fed their first 20 events, one read per event).
 *
 *   node --expose-gc <bundle of this file> [--runs 7] [--events] [chat-text|tool-args|parallel-tools|id-per-chunk|usage-per-chunk|memory …]
 *
 * (bundle it as the bench does: esbuild compare.ts --bundle --platform=node --format=esm
 * --packages=external --outfile=dist/compare.mjs; see README.md next to this file.)
 */
import { createChatCompletionStreamParser, type ChatCompletion, type ChatCompletionStreamOptions } from '@deltafold/core'
import { deltafoldParse, deltafoldParseNoFastPath } from '../contenders/deltafold.js'
import { eventsourceParserAccumulate } from '../contenders/eventsource-parser.js'
import { floor, floorAccumulate } from '../contenders/floor.js'
import { generateChatText } from '../generators/chat-text.js'
import { eventsOf, generateStreamPrefixes } from '../generators/many-streams.js'
import { chunk, choice, META, splitRandom, SSEWriter, USAGE, words, type GeneratedStream } from '../generators/common.js'
import { generateParallelTools } from '../generators/parallel-tools.js'
import { generateToolArgs } from '../generators/tool-args.js'
import { gc } from '../lib/gc.js'
import { checkCompletion } from '../lib/ground-truth.js'
import { createRandom } from '../lib/random.js'

let sink: unknown

function parse(chunks: readonly Uint8Array[], options: ChatCompletionStreamOptions): ChatCompletion {
  const parser = createChatCompletionStreamParser(options)
  for (const bytes of chunks) parser.feed(bytes)
  return parser.end()
}

interface Contender {
  name: string
  run(): unknown
  check?: (result: unknown) => string | undefined
}

const args = process.argv.slice(2)
const runsAt = args.indexOf('--runs')
const runs = runsAt === -1 ? 7 : Number(args[runsAt + 1])
const withEvents = args.includes('--events')
const selected = args.filter((a, i) => !a.startsWith('--') && (runsAt === -1 || i !== runsAt + 1))

/**
 * Chat text whose chunks never repeat a shape, which the fast path cannot help: an id per chunk
 * (Groq compound) or usage on every chunk (Perplexity). It must not make them slower.
 */
function unrepeatable(kind: 'ids' | 'usage'): GeneratedStream {
  const random = createRandom(7)
  const out = new SSEWriter()
  const parts: string[] = []
  let n = 0
  while (out.byteLength < 10_000_000) {
    const text = words(random)
    parts.push(text)
    const c = chunk([choice({ content: text })])
    n++
    if (kind === 'ids') c.id = `${META.id}-${n}`
    else c.usage = { prompt_tokens: 10, completion_tokens: n, total_tokens: 10 + n }
    out.json(c)
  }
  out.json(chunk([], USAGE))
  out.data('[DONE]')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    dataLength: out.dataLength,
    expected: {
      id: kind === 'ids' ? `${META.id}-1` : META.id,
      model: META.model,
      created: META.created,
      choices: [{ index: 0, role: 'assistant', content: parts.join(''), finish_reason: null, tool_calls: [] }],
      usage: { prompt_tokens: USAGE.prompt_tokens, completion_tokens: USAGE.completion_tokens, total_tokens: USAGE.total_tokens },
    },
  }
}

const workloads: Array<[string, () => GeneratedStream, number]> = [
  ['chat-text', () => generateChatText({ seed: 1, targetBytes: 20_000_000 }), 1],
  ['tool-args', () => generateToolArgs({ seed: 2 + 300_000, argsChars: 300_000 }), 2],
  ['parallel-tools', () => generateParallelTools({ seed: 5, targetBytes: 5_000_000 }), 5],
  ['id-per-chunk', () => unrepeatable('ids'), 7],
  ['usage-per-chunk', () => unrepeatable('usage'), 7],
]

for (const [name, generate, seed] of workloads) {
  if (selected.length > 0 && !selected.includes(name)) continue
  const generated = generate()
  const chunks = splitRandom(generated.bytes, createRandom(seed + 1), 1, 8192)
  const check = (r: unknown) => {
    const result = checkCompletion(r, generated.expected)
    return result.ok ? undefined : result.detail
  }
  let events = 0
  const onEvent = () => {
    events++
  }
  const contenders: Contender[] = [
    { name: 'floor (TextDecoder+indexOf+JSON.parse)', run: () => floor(chunks) },
    { name: 'floor + hand accumulation', run: () => floorAccumulate(chunks), check },
    { name: 'eventsource-parser + JSON.parse + hand acc', run: () => eventsourceParserAccumulate(chunks), check },
    { name: 'deltafold createChatCompletionStreamParser (fast path, the default)', run: () => deltafoldParse(chunks), check },
    { name: 'deltafold (no fast path)', run: () => deltafoldParseNoFastPath(chunks), check },
  ]
  if (withEvents) {
    contenders.push(
      { name: 'deltafold + onEvent (fast path)', run: () => parse(chunks, { onEvent }), check },
      { name: 'deltafold + onEvent (no fast path)', run: () => parse(chunks, { onEvent, fastPath: false }), check },
    )
  }
  for (const c of contenders) {
    const problem = c.check?.(c.run())
    if (problem) throw new Error(`${name}: ${c.name} gives a wrong completion: ${problem}`)
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length]!
      gc()
      const start = performance.now()
      sink = c.run()
      samples.get(c.name)!.push(performance.now() - start)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  const floorMs = median(samples.get(contenders[0]!.name)!)
  const mb = generated.bytes.length / 1e6
  console.log(
    `\n${name}: ${mb.toFixed(2)} MB, ${generated.eventCount.toLocaleString('en-US')} events, ${chunks.length} network chunks; median of ${runs}`,
  )
  console.log('| contender | median ms | min–max ms | MB/s | × floor |\n| --- | --- | --- | --- | --- |')
  for (const c of contenders) {
    const xs = samples.get(c.name)!
    const m = median(xs)
    console.log(
      `| ${c.name} | ${m.toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${(mb / (m / 1000)).toFixed(1)} | ${(floorMs / m).toFixed(2)}× |`,
    )
  }
}
if (selected.length === 0 || selected.includes('memory')) {
  const streams = 10_000
  const prefixes = generateStreamPrefixes({ seed: 9, streams, eventsPerStream: 20 })
  const fullGC = () => {
    gc()
    gc()
  }
  const perStream = (fastPath: boolean): number => {
    const holders: unknown[] = new Array(streams)
    fullGC()
    const before = process.memoryUsage().heapUsed
    for (let s = 0; s < streams; s++) {
      const parser = createChatCompletionStreamParser({ fastPath })
      for (const bytes of eventsOf(prefixes, s)) parser.feed(bytes)
      holders[s] = parser
    }
    fullGC()
    const heap = (process.memoryUsage().heapUsed - before) / streams
    sink = holders
    return heap
  }
  const rows: Array<[string, number[]]> = [
    ['deltafold (fast path)', []],
    ['deltafold (no fast path)', []],
  ]
  for (let r = 0; r < 3; r++) {
    rows[0]![1].push(perStream(true))
    rows[1]![1].push(perStream(false))
  }
  console.log(`\nmemory: ${streams.toLocaleString('en-US')} streams in flight, 20 events each; heap bytes per stream, median of 3`)
  console.log('| contender | heap bytes per stream | min–max |\n| --- | --- | --- |')
  for (const [name, xs] of rows) {
    const sorted = [...xs].sort((a, b) => a - b)
    console.log(`| ${name} | ${sorted[1]!.toFixed(0)} | ${sorted[0]!.toFixed(0)}–${sorted[2]!.toFixed(0)} |`)
  }
}
if (sink === 42) console.log('')
