import { createChatCompletionStreamParser, createSSEDecoder } from '@deltafold/core'
import { floor } from '../contenders/floor.js'
import { splitRandom } from '../generators/common.js'
import { generateParallelTools } from '../generators/parallel-tools.js'
import { createRandom } from '../lib/random.js'
const g = generateParallelTools({ seed: 5, targetBytes: 5_000_000 })
const chunks = splitRandom(g.bytes, createRandom(6), 1, 8192)
const which = process.argv[2] ?? 'fast'
function once() {
  if (which === 'decode') { let n = 0; const d = createSSEDecoder({ onEvent(e) { n += e.data.length } }); for (const c of chunks) d.feed(c); d.end(); return n }
  if (which === 'floor') return floor(chunks)
  const p = createChatCompletionStreamParser({ fastPath: which === 'fast' }); for (const c of chunks) p.feed(c); return p.end() }
if (process.argv[3] === 'pollute') {
  const { generateChatText } = await import('../generators/chat-text.js')
  const { generateToolArgs } = await import('../generators/tool-args.js')
  for (const gg of [generateChatText({ seed: 1, targetBytes: 5_000_000 }), generateToolArgs({ seed: 3, argsChars: 100_000 })]) {
    const cc = splitRandom(gg.bytes, createRandom(2), 1, 8192)
    for (let i = 0; i < 3; i++) for (const o of [{}, { fastPath: false }, { onEvent() {} }]) { const p = createChatCompletionStreamParser(o); for (const c of cc) p.feed(c); p.end() }
  }
}
for (let i = 0; i < 3; i++) once()
const xs: number[] = []
for (let i = 0; i < 9; i++) { if (!process.env.NOGC) (globalThis as any).gc(); const t = performance.now(); once(); xs.push(performance.now() - t); if (process.env.MARK) console.log('=== run', i, (performance.now() - t).toFixed(1)) }
xs.sort((a, b) => a - b); console.log(which, xs.map((x) => x.toFixed(1)).join(' '), 'median', xs[4]!.toFixed(1))
