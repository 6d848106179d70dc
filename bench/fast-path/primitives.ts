/**
 * The string primitives the chunk fast path is built from, timed on the real thing: the 62,584
 * content payloads of the bench's chat-text stream as deltafold's SSE decoder hands them out
 * (slices of the decoded network chunks, mostly two-byte). The numbers quoted in
 * packages/core/src/chat/internal/fast-path.ts come from here.
 *
 *   esbuild primitives.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/primitives.mjs
 *   node dist/primitives.mjs
 */
import { createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'

const generated = generateChatText({ seed: 1, targetBytes: 20_000_000 })
const payloads: string[] = []
const decoder = createSSEDecoder({ onEvent: (event) => payloads.push(event.data) })
for (const bytes of splitRandom(generated.bytes, createRandom(2), 1, 8192)) decoder.feed(bytes)
decoder.end()
// The content payloads: not the role chunk, nor the finish, usage and [DONE] ones.
const body = payloads.slice(1, -3)
const first = body[0]!
const contentAt = first.indexOf('"content":"') + 11
const indexAt = first.indexOf('"index":') + 8
const copy = (text: string): string => JSON.parse(JSON.stringify(text)) as string
const prefix = copy(first.slice(0, contentAt))
const short = copy(first.slice(indexAt + 1, contentAt))
const suffix = copy('"},"logprobs":null,"finish_reason":null}],"usage":null}')

let sink: unknown
function time(name: string, run: (payload: string) => unknown): void {
  const samples: number[] = []
  for (let round = 0; round < 9; round++) {
    const start = performance.now()
    for (let i = 0; i < body.length; i++) sink = run(body[i]!)
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  console.log(`${name.padEnd(52)} ${samples[4]!.toFixed(1).padStart(6)} ms`)
}

console.log(`${body.length} payloads; prefix ${prefix.length}, short literal ${short.length}, suffix ${suffix.length} characters`)
time('(loop overhead)', (p) => p.length)
time(`prefix: indexOf(lit, 0) === 0`, (p) => p.indexOf(prefix, 0) === 0)
time(`prefix: slice(0, n) === lit`, (p) => p.slice(0, prefix.length) === prefix)
time(`prefix: startsWith(lit)`, (p) => p.startsWith(prefix))
time(`prefix: charCodeAt loop`, (p) => {
  for (let i = 0; i < prefix.length; i++) if (p.charCodeAt(i) !== prefix.charCodeAt(i)) return false
  return true
})
time(`short literal: indexOf(lit, at) === at`, (p) => p.indexOf(short, indexAt + 1) === indexAt + 1)
time(`suffix: indexOf(lit, at) === at`, (p) => p.indexOf(suffix, p.length - suffix.length) === p.length - suffix.length)
time(`suffix: endsWith(lit)`, (p) => p.endsWith(suffix))
time(`closing quote: indexOf('"', at)`, (p) => p.indexOf('"', contentAt))
time(`fragment: JSON.parse(slice with quotes)`, (p) => JSON.parse(p.slice(contentAt - 1, p.length - suffix.length + 1)))
time(`fragment: charCodeAt check + slice (keeps the chunk)`, (p) => {
  const end = p.length - suffix.length
  for (let i = contentAt; i < end; i++) {
    const c = p.charCodeAt(i)
    if (c < 32 || c === 92) return undefined
  }
  return p.slice(contentAt, end)
})
time(`whole payload: JSON.parse`, (p) => JSON.parse(p))
if (sink === 42) console.log('')
