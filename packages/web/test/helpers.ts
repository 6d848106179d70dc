import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const RECORDED = fileURLToPath(new URL('../../../test/fixtures/recorded/', import.meta.url))

/** Every recorded provider stream of the project (`test/fixtures/recorded/**.sse`), as [name, bytes]. */
export function recordedFixtures(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sse')) out.push([relative(RECORDED, path), new Uint8Array(readFileSync(path))])
    }
  }
  walk(RECORDED)
  return out.sort(([a], [b]) => a.localeCompare(b))
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1): random splits that replay identically. */
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
export function randomSplit(bytes: Uint8Array, rng: () => number, maxSize = 64): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(rng() * maxSize)
    pieces.push(bytes.subarray(at, at + size))
    at += size
  }
  return pieces
}

const encoder = new TextEncoder()

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

/** What a probed source saw: how many times it was pulled, and every cancel reason. */
export interface Probe {
  pulls: number
  cancels: unknown[]
}

/**
 * A byte ReadableStream over `pieces` (strings are encoded) that counts pulls and cancels and never
 * buffers ahead (highWaterMark 0). `stallAt`: that pull never settles (a silent network); `failAt`:
 * that pull errors the stream with `error`.
 */
export function probeStream(
  pieces: Array<string | Uint8Array>,
  options: { stallAt?: number; failAt?: number; error?: unknown } = {},
): { stream: ReadableStream<Uint8Array>; probe: Probe } {
  const probe: Probe = { pulls: 0, cancels: [] }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const i = probe.pulls++
        if (i === options.stallAt) return new Promise<void>(() => {})
        if (i === options.failAt) return controller.error(options.error ?? new Error('connection reset'))
        const piece = pieces[i]
        if (piece === undefined) return controller.close()
        controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece)
      },
      cancel(reason) {
        probe.cancels.push(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, probe }
}

/** Reads a stream to the end; rejects with its error. */
export async function collect<T>(readable: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  const reader = readable.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return out
      out.push(value)
    }
  } finally {
    reader.releaseLock()
  }
}

/** Lets queued microtasks and one macrotask run. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/** An event-stream `Response` over `body`. */
export function eventStreamResponse(body: BodyInit | null, init: ResponseInit = {}): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' }, ...init })
}
