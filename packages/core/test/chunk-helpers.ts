import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import {
  createChatCompletionAccumulator,
  createChatCompletionStreamParser,
  type ChatCompletion,
  type ChatCompletionAccumulatorOptions,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'

/** A loosely typed wire object: tests build provider shapes our types do not describe. */
export type Loose = Record<string, unknown>

/** A function tool call as the final message carries it (what every streamed call is). */
export interface FunctionCall {
  id: string
  type: string
  function: { name: string; arguments: string } & Loose
  [extra: string]: unknown
}

/** A `chat.completion.chunk` with the given `choices` (passed through as is: `[]`, `null`, `undefined`). */
export function chunk(choices: unknown, extra: Loose = {}): Loose {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices, ...extra }
}

/** A chunk with one choice carrying `delta`; `choiceExtra` adds choice fields (`finish_reason`, `index` …). */
export function delta(d: Loose, choiceExtra: Loose = {}, chunkExtra: Loose = {}): Loose {
  return chunk([{ index: 0, delta: d, finish_reason: null, ...choiceExtra }], chunkExtra)
}

/** A chunk with one tool-call fragment in choice 0. */
export function toolDelta(call: Loose, choiceExtra: Loose = {}): Loose {
  return delta({ tool_calls: [call] }, choiceExtra)
}

/** The empty-delta chunk OpenAI sends with a finish_reason. */
export function finish(reason: string | null, index = 0): Loose {
  return chunk([{ index, delta: {}, finish_reason: reason }])
}

/** Everything one accumulator run produced; never throws. */
export interface AccumulateResult {
  completion: ChatCompletion | undefined
  events: CompletionEvent[]
  error: unknown
  snapshot: ChatCompletion
}

/** Pushes `chunks` to a fresh accumulator and finishes it, collecting events; errors are returned. */
export function accumulate(chunks: readonly unknown[], options: ChatCompletionAccumulatorOptions = {}): AccumulateResult {
  const events: CompletionEvent[] = []
  const acc = createChatCompletionAccumulator({ ...options, onEvent: (e) => events.push(e) })
  let completion: ChatCompletion | undefined
  let error: unknown
  try {
    for (const c of chunks) acc.push(c as object)
    completion = acc.finish()
  } catch (e) {
    error = e
  }
  return { completion, events, error, snapshot: acc.snapshot() }
}

/** The completion of `chunks`, failing the test if accumulating throws. */
export function complete(chunks: readonly unknown[], options: ChatCompletionAccumulatorOptions = {}): ChatCompletion {
  const result = accumulate(chunks, options)
  if (result.error !== undefined) throw result.error
  return result.completion!
}

/** The error accumulating `chunks` throws (failing the test if none). */
export function failure(chunks: readonly unknown[], options: ChatCompletionAccumulatorOptions = {}): Loose & Error {
  const result = accumulate(chunks, options)
  expect(result.error, 'expected accumulating to throw').toBeDefined()
  return result.error as Loose & Error
}

/** The message of choice `i` as a loose object (to read provider fields). */
export function message(completion: ChatCompletion, i = 0): Loose {
  return completion.choices[i]!.message as unknown as Loose
}

/** The tool calls of choice `i`, checked to be function calls. */
export function toolCalls(completion: ChatCompletion, i = 0): FunctionCall[] {
  const calls = (completion.choices[i]!.message.tool_calls ?? []) as unknown as FunctionCall[]
  for (const call of calls) expect(call.function, 'a streamed tool call is a function call').toBeTypeOf('object')
  return calls
}

/** SSE text for `chunks`: `data: <json>\n\n` each, then `data: [DONE]\n\n` unless `done` is false. */
export function encodeSSE(chunks: readonly unknown[], done = true): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '')
}

/** Everything one byte-pipeline run produced; never throws. */
export interface ParseResult {
  completion: ChatCompletion | undefined
  events: CompletionEvent[]
  error: unknown
}

/** Feeds `pieces` to a fresh stream parser and ends it, collecting events; errors are returned. */
export function parsePieces(pieces: Iterable<string | Uint8Array>, options: ChatCompletionStreamOptions = {}): ParseResult {
  const events: CompletionEvent[] = []
  const parser = createChatCompletionStreamParser({ ...options, onEvent: (e) => events.push(e) })
  let completion: ChatCompletion | undefined
  let error: unknown
  try {
    for (const piece of pieces) parser.feed(piece)
    completion = parser.end()
  } catch (e) {
    error = e
  }
  return { completion, events, error }
}

/** Splits bytes at the given cut points (sorted, deduplicated, inside `1..length-1`). */
export function splitBytes(bytes: Uint8Array, cuts: Iterable<number>): Uint8Array[] {
  const sorted = [...new Set(cuts)].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let start = 0
  for (const at of [...sorted, bytes.length]) {
    pieces.push(bytes.subarray(start, at))
    start = at
  }
  return pieces
}

/** One byte per piece. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1))
  return pieces
}

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The project's copy of the recorded provider streams (never ../shared). */
export const RECORDED_DIR = fileURLToPath(new URL('../../../test/fixtures/recorded/', import.meta.url))

/** A recorded stream: its path below `recorded/`, bytes, and expected completion when the source asserted one. */
export interface RecordedFixture {
  name: string
  bytes: Uint8Array
  expected: unknown
}

/** Every `*.sse` under the recorded fixtures, sorted by name. */
export function recordedFixtures(): RecordedFixture[] {
  const out: RecordedFixture[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (entry.endsWith('.sse')) {
        const expectedPath = path.replace(/\.sse$/, '.expected.json')
        let expected: unknown
        try {
          expected = JSON.parse(readFileSync(expectedPath, 'utf8'))
        } catch {
          expected = undefined
        }
        out.push({ name: relative(RECORDED_DIR, path).split('\\').join('/'), bytes: new Uint8Array(readFileSync(path)), expected })
      }
    }
  }
  walk(RECORDED_DIR)
  return out.sort((a, b) => (a.name < b.name ? -1 : 1))
}

/** The own property names of the two prototypes a merge bug would pollute. */
export interface PrototypeState {
  object: string[]
  array: string[]
}

export function prototypeState(): PrototypeState {
  return {
    object: Reflect.ownKeys(Object.prototype).map(String).sort(),
    array: Reflect.ownKeys(Array.prototype).map(String).sort(),
  }
}

/** Asserts `Object.prototype` and `Array.prototype` kept exactly the own keys they had. */
export function expectPrototypesUntouched(before: PrototypeState): void {
  expect(prototypeState()).toEqual(before)
  expect(({} as Loose).polluted).toBeUndefined()
  expect(([] as unknown as Loose).polluted).toBeUndefined()
  expect(Object.getPrototypeOf({})).toBe(Object.prototype)
}
