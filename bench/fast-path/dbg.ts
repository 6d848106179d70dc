declare function debugPrint(x: unknown): void
import { createSSEDecoder } from '@deltafold/core'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { createRandom } from '../lib/random.js'
const g = generateChatText({ seed: 1, targetBytes: 200_000 })
const chunks = splitRandom(g.bytes, createRandom(2), 1, 8192)
const datas: string[] = []
const d = createSSEDecoder({ onEvent(e) { datas.push(e.data) } }); for (const c of chunks) d.feed(c); d.end()
for (const i of [5, 6, 100]) debugPrint(datas[i])
