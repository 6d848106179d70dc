import { createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'
const g = generateChatText({ seed: 1, targetBytes: 20_000_000 })
const chunks = splitRandom(g.bytes, createRandom(2), 1, 8192)
const datas: string[] = []
const d = createSSEDecoder({ onEvent(e) { datas.push(e.data) } }); for (const c of chunks) d.feed(c); d.end()
const body = datas.slice(1, -3)
const P = body[0]!.indexOf('"content":"') + 11
const SUF = '"},"logprobs":null,"finish_reason":null}],"usage":null}'.length
let sink: unknown
function bench(name: string, f: (d: string, end: number) => unknown) {
  const xs: number[] = []
  for (let r = 0; r < 9; r++) { (globalThis as any).gc(); const t = performance.now(); for (let i = 0; i < body.length; i++) { const x = body[i]!; sink = f(x, x.length - SUF) } xs.push(performance.now() - t) }
  xs.sort((a, b) => a - b); console.log(name.padEnd(34), xs[4]!.toFixed(1), 'ms')
}
bench('JSON.parse(slice)', (x, e) => JSON.parse(x.slice(P - 1, e + 1)))
bench('slice', (x, e) => x.slice(P, e))
function valid(x: string, s: number, e: number) { for (let i = s; i < e; i++) { const c = x.charCodeAt(i); if (c < 32 || c === 92) return false } return true }
bench('loop validate + slice', (x, e) => valid(x, P, e) ? x.slice(P, e) : JSON.parse(x.slice(P - 1, e + 1)))
function copyCons(s: string) { if (s.length < 13) return s; const c = s + ' '; c.charCodeAt(0); return c.slice(0, -1) }
bench('loop validate + cons copy', (x, e) => valid(x, P, e) ? copyCons(x.slice(P, e)) : JSON.parse(x.slice(P - 1, e + 1)))
bench('indexOf bs + cons copy', (x, e) => { const b = x.indexOf('\\', P); return b === -1 || b >= e ? copyCons(x.slice(P, e)) : JSON.parse(x.slice(P - 1, e + 1)) })
bench('JSON.parse whole', (x) => JSON.parse(x))
const lit0 = JSON.parse(JSON.stringify(body[0]!.slice(0, P))) as string
const lit2 = JSON.parse(JSON.stringify(body[0]!.slice(body[0]!.length - SUF))) as string
console.log(lit0.length, lit2)
bench('lit0 slice===', (x) => x.slice(0, lit0.length) === lit0)
bench('lit0 indexOf===0', (x) => x.indexOf(lit0) === 0)
bench('lit0 startsWith', (x) => x.startsWith(lit0))
bench('lit2 slice===', (x, e) => x.slice(e) === lit2)
bench('lit2 endsWith', (x) => x.endsWith(lit2))
bench('lit2 indexOf', (x, e) => x.indexOf(lit2, e) === e)
bench('indexOf quote', (x) => x.indexOf('"', P))
bench('indexOf bs', (x) => x.indexOf('\\', P))
const twoByte = (s: string) => { const c = s + '\u0100'; c.charCodeAt(0); return c.slice(0, -1) }
const lit0two = twoByte(lit0), lit2two = twoByte(lit2)
bench('lit0two slice===', (x) => x.slice(0, lit0two.length) === lit0two)
bench('lit2two slice===', (x, e) => x.slice(e) === lit2two)
bench('lit0two indexOf===0', (x) => x.indexOf(lit0two) === 0)
let one = 0; for (const x of body) { if (!/[^\x00-\xff]/.test(x)) one++ } console.log('latin1 payloads', one, body.length)
