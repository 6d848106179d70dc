import { createChatCompletionStreamParser, createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'
const g = generateChatText({ seed: 1, targetBytes: 20_000_000 })
const chunks = splitRandom(g.bytes, createRandom(2), 1, 8192)
const which = process.argv[2] ?? 'fast'
function once() {
  if (which === 'decode') { let n = 0; const d = createSSEDecoder({ onEvent(e) { n += e.data.length } }); for (const c of chunks) d.feed(c); d.end(); return n }
  const p = createChatCompletionStreamParser({ fastPath: which === 'fast' }); for (const c of chunks) p.feed(c); return p.end()
}
for (let i = 0; i < 3; i++) once()
const xs: number[] = []
for (let i = 0; i < 7; i++) { if (!process.env.NOGC) (globalThis as any).gc(); const t = performance.now(); once(); xs.push(performance.now() - t) }
xs.sort((a, b) => a - b); console.log(which, xs.map((x) => x.toFixed(1)).join(' '), 'median', xs[3]!.toFixed(1))
