// Loopback SSE server for the load test. Runs in its own process (its own file-descriptor table):
// for /stream/N it streams a deterministic completion for N in small interleaved writes, and holds
// the second half of every stream until `hold` requests are in flight at once, so the client really
// holds that many live accumulators.
import { createServer } from 'node:http'

const hold = Number(process.argv[2] ?? 10000)
const timeoutMs = Number(process.argv[3] ?? 60000)
let open = 0
let released = false
const waiting = []

export function chunksFor(n) {
  const id = `chatcmpl-${n}`
  const base = { id, object: 'chat.completion.chunk', created: 1700000000 + n, model: 'load-test' }
  const words = [`stream ${n}`, ' says', ' héllo', ' 🌍', ` #${n * 7}`]
  const lines = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }]
  for (const w of words) lines.push({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })
  if (n % 3 === 0) {
    lines.push({
      ...base,
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: `call_${n}`, type: 'function', function: { name: 'f', arguments: '' } }] },
          finish_reason: null,
        },
      ],
    })
    lines.push({
      ...base,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: `{"n":${n}}` } }] }, finish_reason: null }],
    })
  }
  lines.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: n % 3 === 0 ? 'tool_calls' : 'stop' }] })
  lines.push({ ...base, choices: [], usage: { prompt_tokens: n, completion_tokens: 5, total_tokens: n + 5 } })
  return lines.map((l) => `data: ${JSON.stringify(l)}\n\n`).join('') + 'data: [DONE]\n\n'
}

const server = createServer((req, res) => {
  const n = Number(req.url.split('/').pop())
  const body = Buffer.from(chunksFor(n))
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const half = Math.floor(body.length / 2)
  // Split the first half mid-event (and mid UTF-8 sequence when it falls there) on purpose.
  res.write(body.subarray(0, half))
  open++
  const finish = () => {
    let pos = half
    const step = () => {
      const size = 1 + ((n * 31 + pos) % 97)
      res.write(body.subarray(pos, pos + size))
      pos += size
      if (pos < body.length) setImmediate(step)
      else res.end()
    }
    step()
  }
  if (released) finish()
  else {
    waiting.push(finish)
    if (open >= hold) release()
  }
})

function release() {
  if (released) return
  released = true
  process.send?.({ type: 'all-open', open })
  // Let the client measure its heap while every stream is in flight, then finish them all.
  process.once('message', () => {
    for (const f of waiting.splice(0)) f()
  })
}

setTimeout(() => {
  process.send?.({ type: 'timeout', open })
  release()
}, timeoutMs).unref()

server.listen(0, '127.0.0.1', 4096, () => process.send?.({ type: 'listening', port: server.address().port }))
