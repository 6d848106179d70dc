// Load test client: N concurrent streams over real loopback HTTP into N live accumulators, every
// completion checked exactly, heap per in-flight stream measured. Run: node --expose-gc client.mjs N
import { fork } from 'node:child_process'
import { Agent, get } from 'node:http'
import { fileURLToPath } from 'node:url'
import { accumulateChatCompletion, createChatCompletionStreamParser } from '../../../packages/core/dist/index.js'
import { chunksFor } from './server.mjs'

const streams = Number(process.argv[2] ?? 10000)
const started = Date.now()
const gc = globalThis.gc ?? (() => {})
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const server = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [String(streams), '60000'], { stdio: 'inherit' })
const port = await new Promise((resolve, reject) => {
  server.once('error', reject)
  server.on('message', (m) => m.type === 'listening' && resolve(m.port))
})
const allOpen = new Promise((resolve) => server.on('message', (m) => (m.type === 'all-open' || m.type === 'timeout') && resolve(m)))

const agent = new Agent({ keepAlive: false, maxSockets: Infinity })
const baseline = heap()
const results = new Array(streams)
const pending = []
for (let n = 0; n < streams; n++) {
  pending.push(
    new Promise((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: `/stream/${n}`, agent }, (res) => {
        accumulateChatCompletion(res).then((c) => resolve((results[n] = c)), reject)
      })
      req.on('error', reject)
    }),
  )
  // Pace connection attempts so the listen backlog never overflows.
  if (n % 500 === 499) await new Promise((r) => setTimeout(r, 20))
}
const open = await allOpen
const inFlight = heap()
server.send('go')
await Promise.all(pending)
const elapsed = Date.now() - started

// Ground truth: the same bytes accumulated alone, synchronously.
let exact = 0
const mismatches = []
for (let n = 0; n < streams; n++) {
  const parser = createChatCompletionStreamParser()
  parser.feed(chunksFor(n))
  const expected = JSON.stringify(parser.end())
  if (JSON.stringify(results[n]) === expected) exact++
  else if (mismatches.length < 5) mismatches.push(n)
}
server.kill()
server.disconnect?.()
agent.destroy()
console.log(
  JSON.stringify({
    streams,
    allInFlight: open.type === 'all-open',
    inFlightAtOnce: open.open,
    exact,
    mismatches,
    heapPerStreamBytes: Math.round((inFlight - baseline) / streams),
    elapsedMs: elapsed,
  }),
)
// Sockets in TIME_WAIT and the IPC channel may keep the loop alive for a while: the result is out.
process.exit(exact === streams ? 0 : 1)
