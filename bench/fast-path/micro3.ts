import { createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'
const g = generateChatText({ seed: 1, targetBytes: 20_000_000 })
const chunks = splitRandom(g.bytes, createRandom(2), 1, 8192)
const datas: string[] = []
const d = createSSEDecoder({ onEvent(e) { datas.push(e.data) } }); for (const c of chunks) d.feed(c); d.end()
const body = datas.slice(1, -3)
const s0 = body[0]!
const P1 = s0.indexOf('"index":') + 8
const P2 = s0.indexOf('"content":"') + 11
const lit0 = JSON.parse(JSON.stringify(s0.slice(0, P1))) as string
const lit1 = JSON.parse(JSON.stringify(s0.slice(P1 + 1, P2))) as string
const SUF = '"},"logprobs":null,"finish_reason":null}],"usage":null}'
const lit2 = JSON.parse(JSON.stringify(SUF)) as string
const lit01 = JSON.parse(JSON.stringify(s0.slice(0, P2))) as string
let sink: unknown
function bench(name: string, f: (d: string) => unknown) {
  const xs: number[] = []
  for (let r = 0; r < 9; r++) { const t = performance.now(); for (let i = 0; i < body.length; i++) sink = f(body[i]!); xs.push(performance.now() - t) }
  xs.sort((a, b) => a - b); console.log(name.padEnd(40), xs[4]!.toFixed(1), 'ms')
}
console.log(lit0.length, lit1, lit2.length, lit01.length)
bench('noop', (x) => x.length)
bench('indexOf lit0 at 0', (x) => x.indexOf(lit0, 0) === 0)
bench('indexOf lit01 at 0', (x) => x.indexOf(lit01, 0) === 0)
bench('indexOf lit1 at P1+1', (x) => x.indexOf(lit1, P1 + 1) === P1 + 1)
bench('startsWith lit1 at P1+1', (x) => x.startsWith(lit1, P1 + 1))
bench('indexOf lit2 at end', (x) => x.indexOf(lit2, x.length - lit2.length) === x.length - lit2.length)
bench('endsWith lit2', (x) => x.endsWith(lit2))
bench('indexOf quote', (x) => x.indexOf('"', P2))
bench('charCodeAt scan quote', (x) => { let i = P2; while (x.charCodeAt(i) !== 34) i++; return i })
bench('JSON.parse slice', (x) => JSON.parse(x.slice(P2 - 1, x.length - lit2.length + 1)))
