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

// ---------------------------------------------------------------------------------------------
// A small completion → chunk-stream encoder for property tests: it splits a known completion into
// the chunks an OpenAI-compatible server could stream for it, the way servers do (role chunk,
// content fragments, tool calls with id and name first then argument fragments, interleaved
// choices, a finish chunk, a usage chunk), with every choice of split driven by `random`. It also
// plays the harmless provider quirks: a role repeated on deltas, tool-call continuations that
// repeat id, type and name or send id "".

/** A tool call of the model completion. */
export interface ModelToolCall {
  id: string
  name: string
  arguments: string
}

/** A token logprob as the wire carries it. */
export interface ModelLogprob {
  token: string
  logprob: number
  bytes: number[] | null
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }>
}

/** One choice of the model completion. */
export interface ModelChoice {
  index: number
  content: string | null
  refusal: string | null
  reasoning: { field: 'reasoning_content' | 'reasoning'; text: string } | null
  toolCalls: ModelToolCall[]
  logprobs: ModelLogprob[] | null
  finishReason: string | null
}

/** A completion to encode: what the accumulator must give back. */
export interface ModelCompletion {
  id: string
  model: string
  created: number
  choices: ModelChoice[]
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null
}

/** The `chat.completion` a model completion stands for. */
export function expectedCompletion(model: ModelCompletion): Loose {
  const choices = [...model.choices]
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const message: Loose = { role: 'assistant', content: c.content, refusal: c.refusal }
      if (c.reasoning) message[c.reasoning.field] = c.reasoning.text
      if (c.toolCalls.length > 0) {
        message.tool_calls = c.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }))
      }
      return {
        index: c.index,
        message,
        finish_reason: c.finishReason,
        logprobs: c.logprobs ? { content: c.logprobs, refusal: null } : null,
      }
    })
  const out: Loose = { id: model.id, object: 'chat.completion', created: model.created, model: model.model, choices }
  if (model.usage) out.usage = model.usage
  return out
}

/** Splits `text` into 1 to 8 random pieces (code-unit cuts: surrogate pairs may be split too); "" stays [""]. */
export function fragments(text: string, random: () => number): string[] {
  if (text.length <= 1) return [text]
  const count = 1 + Math.floor(random() * Math.min(8, text.length))
  const cuts = new Set<number>()
  while (cuts.size < count - 1) cuts.add(1 + Math.floor(random() * (text.length - 1)))
  const sorted = [...cuts].sort((a, b) => a - b)
  const out: string[] = []
  let start = 0
  for (const at of [...sorted, text.length]) {
    out.push(text.slice(start, at))
    start = at
  }
  return out
}

/** Splits `items` into `groups` consecutive runs (some possibly empty). */
function groupsOf<T>(items: T[], groups: number, random: () => number): T[][] {
  const out: T[][] = Array.from({ length: groups }, () => [])
  let g = 0
  for (const item of items) {
    while (g < groups - 1 && random() < 0.4) g++
    out[g]!.push(item)
  }
  return out
}

/** The chunks a server could stream for `model`; `random` decides every split and the interleaving. */
export function encodeCompletion(model: ModelCompletion, random: () => number): Loose[] {
  const queues = model.choices.map((c) => {
    const items: Array<{ delta: Loose; logprobs?: Loose; finish_reason?: string }> = []
    const role: Loose = { role: 'assistant' }
    // OpenAI opens text streams with content "" on the role delta, refusal and tool streams with null.
    if (c.content !== null && random() < 0.5) role.content = ''
    else if (random() < 0.3) role.content = null
    items.push({ delta: role })
    if (c.reasoning) for (const piece of fragments(c.reasoning.text, random)) items.push({ delta: { [c.reasoning.field]: piece } })
    const carriers: Array<{ delta: Loose; logprobs?: Loose }> = []
    if (c.content !== null) {
      for (const piece of fragments(c.content, random)) {
        // OpenRouter, Perplexity, Ollama repeat the role on every delta.
        const item = { delta: random() < 0.2 ? { role: 'assistant', content: piece } : { content: piece } }
        items.push(item)
        carriers.push(item)
      }
    }
    if (c.logprobs) {
      if (carriers.length === 0) carriers.push(items[0]!)
      groupsOf(c.logprobs, carriers.length, random).forEach((group, i) => {
        // A carrier with no entries sends `content: []` (the first one) or leaves logprobs out.
        if (group.length > 0 || i === 0) carriers[i]!.logprobs = { content: group, refusal: null }
      })
    }
    if (c.refusal !== null) for (const piece of fragments(c.refusal, random)) items.push({ delta: { refusal: piece } })
    c.toolCalls.forEach((call, i) => {
      const pieces = fragments(call.arguments, random)
      // The first argument fragment rides on the id/name delta, or comes after an "" fragment.
      const first = random() < 0.5 ? pieces.shift()! : ''
      items.push({ delta: { tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: call.name, arguments: first } }] } })
      // Continuations as OpenAI sends them, or repeating id, type and name (Kimi, MiniMax), or with id "" (Qwen).
      const style = random()
      for (const piece of pieces) {
        const fragment: Loose =
          style < 0.5
            ? { index: i, function: { arguments: piece } }
            : style < 0.75
              ? { index: i, id: call.id, type: 'function', function: { name: call.name, arguments: piece } }
              : { index: i, id: '', type: 'function', function: { arguments: piece } }
        items.push({ delta: { tool_calls: [fragment] } })
      }
    })
    if (c.finishReason !== null) {
      // In its own empty-delta chunk (OpenAI) or on the last delta (Mistral).
      if (random() < 0.5) items.push({ delta: {}, finish_reason: c.finishReason })
      else items[items.length - 1]!.finish_reason = c.finishReason
    }
    return { index: c.index, items }
  })
  const chunks: Loose[] = []
  const meta = { id: model.id, object: 'chat.completion.chunk', created: model.created, model: model.model }
  for (;;) {
    const open = queues.filter((q) => q.items.length > 0)
    if (open.length === 0) break
    // One random choice per chunk, or several at once in a shuffled order (n>1 servers do both).
    let order = [open[Math.floor(random() * open.length)]!]
    if (random() < 0.3) {
      const several = open.filter(() => random() < 0.6)
      for (let i = several.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[several[i], several[j]] = [several[j]!, several[i]!]
      }
      if (several.length > 0) order = several
    }
    const choices = order.map((q) => {
      const item = q.items.shift()!
      const choice: Loose = { index: q.index, delta: item.delta, finish_reason: item.finish_reason ?? null }
      if (item.logprobs) choice.logprobs = item.logprobs
      else if (random() < 0.3) choice.logprobs = null
      return choice
    })
    chunks.push({ ...meta, choices })
  }
  if (model.usage) chunks.push({ ...meta, choices: [], usage: model.usage })
  return chunks
}
