import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createSSEDecoder } from '@deltafold/core'

/** The project's copy of the recorded Responses API streams (never ../shared). */
export const RESPONSES_DIR = fileURLToPath(new URL('../../../test/fixtures/formats/responses/', import.meta.url))

/** A recorded Responses stream as the test reads it, independently of the code under test. */
export interface ResponsesFixture {
  name: string
  bytes: Uint8Array
  /** The `data:` payloads, JSON-parsed (`undefined` for a payload that is not JSON), `[DONE]` left out. */
  events: Array<Record<string, unknown> | undefined>
  /** Byte offset where each payload's SSE event starts (the first line of its block). */
  starts: number[]
  /** Index in `events` of the terminal event (`response.completed`/`.incomplete`/`.failed`), or -1. */
  terminalIndex: number
  /** The source test's assertion on the final response (deep-partial), when there is one. */
  expected: Record<string, unknown> | undefined
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed'])

/**
 * Every `*.sse` fixture, read with a plain split on blank lines (every file uses LF and one block per
 * event), not with the decoder under test.
 */
export function responsesFixtures(): ResponsesFixture[] {
  return readdirSync(RESPONSES_DIR)
    .filter((f) => f.endsWith('.sse'))
    .sort()
    .map((name) => {
      const bytes = new Uint8Array(readFileSync(RESPONSES_DIR + name))
      const text = new TextDecoder().decode(bytes)
      const events: Array<Record<string, unknown> | undefined> = []
      const starts: number[] = []
      let offset = 0
      for (const block of text.split('\n\n')) {
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5))
          .join('\n')
        if (data !== '' && data !== '[DONE]') {
          let value: Record<string, unknown> | undefined
          try {
            value = JSON.parse(data) as Record<string, unknown>
          } catch {
            value = undefined
          }
          events.push(value)
          starts.push(new TextEncoder().encode(text.slice(0, offset)).length)
        }
        offset += block.length + 2
      }
      const terminalIndex = events.findIndex((e) => e !== undefined && TERMINAL.has(e.type as string))
      const expectedName = name.replace(/\.sse$/, '.expected.json')
      let expected: Record<string, unknown> | undefined
      try {
        expected = JSON.parse(readFileSync(RESPONSES_DIR + expectedName, 'utf8')) as Record<string, unknown>
      } catch {
        expected = undefined
      }
      return { name, bytes, events, starts, terminalIndex, expected }
    })
}

/**
 * A copy of a response (or output list) with every `encrypted_content` (reasoning items) and
 * `fingerprint` (programmatic tool calling's `program` item) replaced by a marker: the server issues
 * a fresh encryption of the same value in the terminal event, so the value streamed in
 * `output_item.done` and the terminal one differ byte for byte in 8 of the fixtures.
 */
export function maskEncrypted<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      (key === 'encrypted_content' || key === 'fingerprint') && typeof v === 'string' ? '<encrypted>' : v,
    ),
  ) as T
}

/** Deep-partial match as SOURCES.md defines it: keys given must match, arrays element by element, `null` = absent or null. */
export function partialMismatch(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (expected === null) return actual === null || actual === undefined ? undefined : `${path}: expected null or absent`
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} elements, got ${actual.length}`
    for (let i = 0; i < expected.length; i++) {
      const m = partialMismatch(actual[i], expected[i], `${path}[${i}]`)
      if (m) return m
    }
    return undefined
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null) return `${path}: expected an object`
    for (const key of Object.keys(expected)) {
      const m = partialMismatch((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`)
      if (m) return m
    }
    return undefined
  }
  return Object.is(actual, expected) ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`
}

/** Splits `bytes` at the given offsets (sorted, deduplicated, inside the input). */
export function splitAt(bytes: Uint8Array, cuts: Iterable<number>): Uint8Array[] {
  const sorted = [...new Set(cuts)].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let start = 0
  for (const at of [...sorted, bytes.length]) {
    pieces.push(bytes.subarray(start, at))
    start = at
  }
  return pieces
}

/** Encodes Responses events as an SSE body (`event:` + `data:` per event). */
export function sse(events: readonly unknown[]): string {
  return events.map((e) => `event: ${(e as { type?: string }).type ?? 'message'}\ndata: ${JSON.stringify(e)}\n\n`).join('')
}

/** The decoded events of an SSE body, for tests that feed the accumulator directly. */
export function decodeEvents(body: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  const decoder = createSSEDecoder({ onEvent: (e) => out.push(JSON.parse(e.data) as Record<string, unknown>) })
  decoder.feed(body)
  decoder.end()
  return out
}

/**
 * The one fixture whose deltas disagree with its `.done` texts: vercel/ai's shell-container chunks
 * stream "The command ran successfully." and then send `output_text.done` with "The command ran
 * successfully in the container. …" (the fixture was edited by hand at its source).
 */
export const DIVERGENT = 'vercel-ai-openai-shell-container-1.sse'
