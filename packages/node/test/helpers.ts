import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

const RECORDED = fileURLToPath(new URL('../../../test/fixtures/recorded/', import.meta.url))

/** Every recorded provider stream of the project (`test/fixtures/recorded/**.sse`), as [name, bytes]. */
export function recordedFixtures(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sse')) out.push([relative(RECORDED, path), readFileSync(path)])
    }
  }
  walk(RECORDED)
  return out.sort(([a], [b]) => a.localeCompare(b))
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1): random splits and delays that replay identically. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Splits bytes into pieces of 1..maxSize bytes (cutting inside UTF-8 sequences too). */
export function randomSplit(bytes: Uint8Array, rng: () => number, maxSize = 64): Buffer[] {
  const pieces: Buffer[] = []
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(rng() * maxSize)
    pieces.push(Buffer.from(bytes.subarray(at, at + size)))
    at += size
  }
  return pieces
}

/** `data: <json>\n\n` per payload: a minimal SSE encoder for test input. */
export function sse(...payloads: Array<object | string>): string {
  return payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('')
}

/** A one-choice content chunk. */
export function delta(content: string, finish: string | null = null): object {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  }
}

/**
 * A byte Readable over `pieces` that counts `_read` calls and whether it was destroyed. It buffers
 * one piece at most (highWaterMark 1), so `reads` is how far the consumer has pulled. `failAt`:
 * that read destroys the stream with `error`.
 */
export function probeReadable(pieces: Array<string | Buffer>, options: { failAt?: number; error?: Error } = {}) {
  const probe = { reads: 0, destroyed: 0 }
  const readable = new Readable({
    highWaterMark: 1,
    read() {
      const i = probe.reads++
      if (i === options.failAt) return this.destroy(options.error ?? new Error('connection reset'))
      const piece = pieces[i]
      this.push(piece === undefined ? null : Buffer.from(piece))
    },
    destroy(error, callback) {
      probe.destroyed++
      callback(error)
    },
  })
  return { readable, probe }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Polls `condition` until it holds or `ms` pass; returns its last value (so tests assert, not assume). */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (await condition()) return true
    if (Date.now() > until) return false
    await sleep(5)
  }
}

export interface TestServer {
  server: Server
  url: string
  connections(): Promise<number>
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1, port 0. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    connections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Writes `pieces` to `res` with random delays (0..maxDelay ms), honouring `res.write` backpressure,
 * and stops when the client goes away. Resolves with whether every piece was written.
 */
export async function writeSlowly(res: ServerResponse, pieces: Array<string | Buffer>, rng: () => number, maxDelay = 2): Promise<boolean> {
  let gone = false
  res.once('close', () => {
    gone = true
  })
  for (const piece of pieces) {
    if (gone) return false
    const delay = Math.floor(rng() * (maxDelay + 1))
    if (delay > 0) await sleep(delay)
    if (gone) return false
    if (!res.write(piece)) await Promise.race([once(res, 'drain'), once(res, 'close')])
  }
  if (gone) return false
  res.end()
  return true
}

/** Counts the active handles of each kind (`TCPSocketWrap`, `TCPServerWrap`, `Timeout`…). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}
