import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, cleanEnv, cliPath } from './helpers.js'

// The constant-memory claim: `sse` and `events` stream a file of any size. 512 MiB keeps the run
// near 10 s on a shared 2-core machine; the bound does not depend on the size (the live heap is
// capped in the `events` test to prove nothing accumulates, see below).
const SIZE = 512 * 1024 * 1024
const EVENTS_SIZE = 128 * 1024 * 1024
const RSS_LIMIT_MB = 150
const TIME = '/usr/bin/time'
const canMeasure = process.platform === 'linux' && existsSync(TIME)
const freeBytes = (() => {
  try {
    const fs = statfsSync(tmpdir())
    return fs.bavail * fs.bsize
  } catch {
    return 0
  }
})()
const hasRoom = freeBytes > SIZE + EVENTS_SIZE + 512 * 1024 * 1024

let dir: string
let bigFile: string
let eventsFile: string
let bigEvents = 0
let eventsChunks = 0

/** Encodes one `chat.completion.chunk` as an SSE event, the way OpenAI sends it. */
function encodeChunk(n: number, delta: Record<string, unknown>): string {
  const chunk = {
    id: 'chatcmpl-big',
    object: 'chat.completion.chunk',
    created: 1747148050,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_0392822090',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    usage: null,
    obfuscation: n.toString(36).padStart(8, 'x'),
  }
  return `data: ${JSON.stringify(chunk)}\n\n`
}

/**
 * Writes `size` bytes of SSE made of 1 MiB blocks; `block(i)` builds block `i`'s events and
 * returns how many it holds. Returns the total number of events.
 */
function writeStream(path: string, size: number, block: (i: number) => { text: string; events: number }): number {
  const fd = openSync(path, 'w')
  let written = 0
  let events = 0
  try {
    for (let i = 0; written < size; i++) {
      const { text, events: n } = block(i)
      written += writeSync(fd, text)
      events += n
    }
  } finally {
    closeSync(fd)
  }
  return events
}

beforeAll(() => {
  assertBuilt()
  if (!canMeasure || !hasRoom) return
  dir = mkdtempSync(join(tmpdir(), 'deltafold-cli-big-'))
  // `sse`: every chunk carries a few characters of text, as a real completion does.
  bigFile = join(dir, 'big.sse')
  const words = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.\n']
  const parts: string[] = []
  let perBlock = 0
  for (let size = 0; size < 1024 * 1024; perBlock++) {
    const event = encodeChunk(perBlock, { content: words[perBlock % words.length] })
    parts.push(event)
    size += event.length
  }
  const sseBlock = parts.join('')
  bigEvents = writeStream(bigFile, SIZE, () => ({ text: sseBlock, events: perBlock }))

  // `events`: the accumulator must keep the completion, so its text stays small here (one word
  // per 1,000 chunks; the rest are the empty-content keep-alive chunks some providers send).
  eventsFile = join(dir, 'events.sse')
  eventsChunks = writeStream(eventsFile, EVENTS_SIZE, (i) => {
    const chunks: string[] = [encodeChunk(i, { role: 'assistant', content: i === 0 ? 'Hello' : ' word' })]
    for (let n = 1; n < 1000; n++) chunks.push(encodeChunk(n, { content: '' }))
    return { text: chunks.join(''), events: chunks.length }
  })
}, 60_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface Measured {
  code: number | null
  lines: number
  peakRssMb: number
  stderr: string
  seconds: number
}

/** Runs the CLI under `/usr/bin/time`, counting stdout lines without keeping them. */
function measure(args: readonly string[], env: Record<string, string> = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(TIME, ['-f', 'peak-rss-kb %M', process.execPath, cliPath, ...args], {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let lines = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      const match = /peak-rss-kb (\d+)/.exec(stderr)
      if (!match) return reject(new Error(`no RSS reported; stderr: ${stderr}`))
      resolve({ code, lines, peakRssMb: Number(match[1]) / 1024, stderr, seconds: (performance.now() - started) / 1000 })
    })
  })
}

describe.skipIf(!canMeasure || !hasRoom)('constant memory on a large file', () => {
  test(`sse streams ${SIZE / 1024 / 1024} MiB into a pipe with peak RSS under ${RSS_LIMIT_MB} MB`, async () => {
    const result = await measure(['sse', '--stats', bigFile])
    console.log(`sse on ${SIZE / 1024 / 1024} MiB: peak RSS ${result.peakRssMb.toFixed(1)} MB, ${result.seconds.toFixed(1)} s`)
    expect(result.code).toBe(0)
    expect(result.lines).toBe(bigEvents)
    expect(result.stderr).toContain(`${bigEvents.toLocaleString('en-US')} events`)
    expect(result.peakRssMb).toBeLessThan(RSS_LIMIT_MB)
  }, 90_000)

  test(`events streams ${EVENTS_SIZE / 1024 / 1024} MiB with a 32 MB heap cap and peak RSS under ${RSS_LIMIT_MB} MB`, async () => {
    // With the old generation capped at 32 MB, anything kept per chunk or per event would end the
    // run with "heap out of memory" long before the end of the file.
    const result = await measure(['events', '--stats', eventsFile], { NODE_OPTIONS: '--max-old-space-size=32' })
    console.log(`events on ${EVENTS_SIZE / 1024 / 1024} MiB: peak RSS ${result.peakRssMb.toFixed(1)} MB, ${result.seconds.toFixed(1)} s`)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`${eventsChunks.toLocaleString('en-US')} chunks`)
    // role + one content.delta per non-empty chunk + content.done + done (empty deltas emit nothing).
    expect(result.lines).toBeGreaterThanOrEqual(eventsChunks / 1000)
    expect(result.peakRssMb).toBeLessThan(RSS_LIMIT_MB)
  }, 90_000)

  test('sse stops reading as soon as its reader goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [cliPath, 'sse', bigFile], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    const started = performance.now()
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.once('data', (chunk: Buffer) => {
        resolve(chunk.toString('utf8').split('\n')[0]!)
        child.stdout.destroy()
      })
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(JSON.parse(firstLine)).toMatchObject({ type: 'message', lastEventId: '' })
    expect(code).toBe(0)
    expect(performance.now() - started).toBeLessThan(3_000)
  }, 20_000)
})
