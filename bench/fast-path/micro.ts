import { createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'
const g = generateChatText({ seed: 1, targetBytes: 20_000_000 })
const chunks = splitRandom(g.bytes, createRandom(2), 1, 8192)
const datas: string[] = []
const d = createSSEDecoder({ onEvent(e) { datas.push(e.data) } }); for (const c of chunks) d.feed(c); d.end()
const sample = datas[5]!
const P = sample.indexOf('"content":"') + 11
const lit0 = JSON.parse(JSON.stringify(sample.slice(0, P))) as string
const lit1 = JSON.parse(JSON.stringify(sample.slice(sample.lastIndexOf('"}'))))
console.log(lit0, lit1)
function bench(name: string, f: (d: string) => unknown) {
  const xs: number[] = []
  for (let r = 0; r < 7; r++) { const t = performance.now(); let s = 0; for (let i = 1; i < datas.length - 3; i++) { if (f(datas[i]!)) s++ } xs.push(performance.now() - t); if (s < 0) console.log(s) }
  xs.sort((a, b) => a - b); console.log(name.padEnd(30), xs[3]!.toFixed(1), 'ms')
}
bench('startsWith lit0', (x) => x.startsWith(lit0))
bench('startsWith lit1 at', (x) => x.startsWith(lit1, x.length - lit1.length))
bench('endsWith lit1', (x) => x.endsWith(lit1))
bench('indexOf quote', (x) => x.indexOf('"', P))
bench('indexOf backslash', (x) => x.indexOf('\\', P))
bench('JSON.parse slice', (x) => JSON.parse(x.slice(P - 1, x.length - lit1.length + 1)))
bench('slice only', (x) => x.slice(P - 1, x.length - lit1.length + 1))
bench('charCodeAt P', (x) => x.charCodeAt(P))
const flats = datas.map((x) => JSON.parse(JSON.stringify(x)) as string)
function bench2(name: string, f: (d: string) => unknown) {
  const xs: number[] = []
  for (let r = 0; r < 7; r++) { const t = performance.now(); let s = 0; for (let i = 1; i < flats.length - 3; i++) { if (f(flats[i]!)) s++ } xs.push(performance.now() - t) }
  xs.sort((a, b) => a - b); console.log(('flat ' + name).padEnd(30), xs[3]!.toFixed(1), 'ms')
}
bench2('startsWith lit0', (x) => x.startsWith(lit0))
bench2('JSON.parse whole', (x) => JSON.parse(x))
bench('JSON.parse whole', (x) => JSON.parse(x))
const litOneByte = Buffer.from(lit0, 'latin1').toString('latin1')
bench('startsWith lit0 one-byte', (x) => x.startsWith(litOneByte))
const litSliced = sample.slice(0, P)
bench('startsWith lit0 sliced', (x) => x.startsWith(litSliced))
bench('startsWith lit0 again', (x) => x.startsWith(lit0))
const synth = datas.slice(1, -3).map((x) => lit0 + 'abc' + lit1)
bench('synthetic same lit0', (x) => x.startsWith(lit0))
const synthFlat = synth.map((x) => JSON.parse(JSON.stringify(x)) as string)
bench2('x', () => 0)
{
  const xs: number[] = []
  for (let r = 0; r < 7; r++) { const t = performance.now(); let s = 0; for (const x of synthFlat) if (x.startsWith(lit0)) s++; xs.push(performance.now() - t) }
  xs.sort((a, b) => a - b); console.log('synth flat inline', xs[3]!.toFixed(1))
}
{
  const xs: number[] = []
  for (let r = 0; r < 7; r++) { const t = performance.now(); let s = 0; for (const x of datas) if (x.startsWith(lit0)) s++; xs.push(performance.now() - t) }
  xs.sort((a, b) => a - b); console.log('datas inline', xs[3]!.toFixed(1))
}
console.log(lit0.length, datas.length)
