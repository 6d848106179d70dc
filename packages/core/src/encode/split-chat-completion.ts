import { fragmentSizer, fragmentText, type NextFragmentSize } from './internal/fragment-text.js'
import type { ChatCompletion, ChatCompletionChunk } from '../chat/types.js'
// Top-level fields the accumulator interprets (or rejects, `error`); every other key is an extra.
import { KNOWN_TOP } from '../chat/internal/field-tables.js'

/** Random fragment sizes from a seeded generator: the same options give the same chunks. */
export interface RandomFragmentSize {
  /** Smallest fragment, in code points. @defaultValue 1 */
  min?: number
  /** Largest fragment, in code points. */
  max: number
  /** Seed of the generator (any 32-bit integer). @defaultValue 0 */
  seed?: number
}

/** How long each streamed text fragment is, in code points: fixed, computed, or seeded random. */
export type FragmentSize = number | (() => number) | RandomFragmentSize

/** Options of {@link splitChatCompletion}. */
export interface SplitChatCompletionOptions {
  /**
   * Length of each fragment of streamed text (content, refusal, reasoning, `reasoning_details` text,
   * tool and function arguments), in code points: a number, a function called for every fragment,
   * or `{ min, max, seed }` for seeded random sizes. Content (or refusal) whose logprobs tokens spell it
   * exactly is split at its tokens instead, one token per chunk, as OpenAI streams it.
   * @defaultValue 4
   */
  fragmentSize?: FragmentSize
  /**
   * Where the completion's `usage` goes: `'chunk'`, a last chunk with `choices: []` and `usage: null`
   * on every other chunk (OpenAI with `stream_options.include_usage`); `'last'`, on the last chunk
   * (DeepSeek, Mistral, Groq); `'none'`, left out (the round trip then loses it, unless a top-level
   * `x_groq.usage` extra brings the token counts back).
   * @defaultValue 'chunk'
   */
  usage?: 'chunk' | 'last' | 'none'
}

type Json = Record<string, unknown>

const DEFAULT_FRAGMENT_SIZE = 4

/**
 * Turns a `chat.completion` back into the `chat.completion.chunk` sequence an OpenAI server would
 * stream for it, such that the accumulator folds the chunks back into an equal completion.
 *
 * Per choice, in order: a role chunk (`{ role, content: "" | null, refusal: "" | null }`, carrying the
 * message's provider extras and, with logprobs, `{ content: [], refusal: null }`); reasoning fragments
 * under the same field name(s) (`reasoning_content`, `reasoning`, both); `reasoning_details` entries
 * with their text in fragments; content fragments, each with its logprobs entries; refusal fragments
 * likewise; unknown content parts (`content_parts`) as a content-parts array; legacy `function_call`;
 * `audio` (id and expiry first, then data and transcript fragments); `annotations`, one entry per
 * chunk; each tool call as id, type and name first (with its extras), then argument fragments (a
 * custom call: `custom.name` first, then `custom.input` fragments); a finish chunk (`delta: {}`) when `finish_reason` is set, carrying the choice's
 * extras. With n > 1 the choices are interleaved, one choice per chunk. Every chunk carries `id`,
 * `object: "chat.completion.chunk"`, `created`, `model` and, when set, `service_tier` and
 * `system_fingerprint`; top-level extras ride on the first chunk; `usage` as the `usage` option says.
 *
 * The round trip `accumulate(split(c))` deep-equals `c` for every completion the accumulator
 * produces. Not representable in a stream, so not kept: a choice extra named `delta`, a tool call's own `index` (calls are numbered in order), top-level
 * `error`, padding the accumulator drops (`obfuscation`, `p`), `null` extras, and ids repeated across
 * tool calls.
 *
 * @param completion - the completion to stream (any object of that shape; unknown fields are kept)
 * @param options - `fragmentSize` and `usage`
 * @returns The chunks, fresh objects sharing nothing with `completion`
 * @throws TypeError when `completion` has no `choices` array, a choice is not an object or has an
 *   invalid `index`, or `fragmentSize` is invalid
 * @example
 * ```ts
 * import { createChatCompletionAccumulator, splitChatCompletion } from '@deltafold/core'
 * const completion = {
 *   id: 'c1', object: 'chat.completion' as const, created: 1, model: 'm',
 *   choices: [{ index: 0, message: { role: 'assistant' as const, content: 'Hello!', refusal: null }, finish_reason: 'stop' as const, logprobs: null }],
 * }
 * const chunks = splitChatCompletion(completion, { fragmentSize: 3 })
 * chunks.map((c) => c.choices[0]?.delta.content) // ['', 'Hel', 'lo!', undefined]
 * const acc = createChatCompletionAccumulator()
 * for (const chunk of chunks) acc.push(chunk)
 * acc.finish() // deep-equals completion
 * ```
 */
export function splitChatCompletion(completion: ChatCompletion, options: SplitChatCompletionOptions = {}): ChatCompletionChunk[] {
  if (!isPlainObject(completion) || !Array.isArray(completion.choices)) {
    throw new TypeError(
      `splitChatCompletion() expects a chat.completion object with a choices array, got ${describe(completion)}: pass what accumulateChatCompletion() returned`,
    )
  }
  const usageMode = options.usage ?? 'chunk'
  if (usageMode !== 'chunk' && usageMode !== 'last' && usageMode !== 'none') {
    throw new TypeError(`usage must be 'chunk', 'last' or 'none', got ${describe(usageMode)}`)
  }
  const nextSize = fragmentSizer(options.fragmentSize, DEFAULT_FRAGMENT_SIZE)
  const c = completion as unknown as Json

  const header: Json = {
    id: c.id === undefined ? '' : c.id,
    object: 'chat.completion.chunk',
    created: c.created === undefined ? 0 : c.created,
    model: c.model === undefined ? '' : c.model,
  }
  if (c.service_tier !== undefined) header.service_tier = c.service_tier
  if (c.system_fingerprint !== undefined) header.system_fingerprint = c.system_fingerprint

  const perChoice = (c.choices as unknown[]).map((choice, position) => splitChoice(choice, position, nextSize))
  const chunks: Json[] = []
  // Round robin over the choices, one choice per chunk, as OpenAI interleaves n > 1 generations.
  for (let round = 0; ; round++) {
    let any = false
    for (const list of perChoice) {
      const choice = list[round]
      if (choice === undefined) continue
      chunks.push({ ...header, choices: [choice] })
      any = true
    }
    if (!any) break
  }

  const usage = c.usage
  if (usage !== undefined && usage !== null && usageMode !== 'none') {
    if (usageMode === 'chunk') {
      for (const chunk of chunks) chunk.usage = null
      chunks.push({ ...header, choices: [], usage: clone(usage) })
    } else {
      if (chunks.length === 0) chunks.push({ ...header, choices: [] })
      chunks[chunks.length - 1]!.usage = clone(usage)
    }
  }
  // A completion without choices still has its metadata (and extras) to deliver.
  if (chunks.length === 0) chunks.push({ ...header, choices: [] })
  copyExtras(c, chunks[0]!, KNOWN_TOP)
  return chunks as unknown as ChatCompletionChunk[]
}

/** The choice objects (`{ index, delta, logprobs, finish_reason }`) streaming one choice, in order. */
function splitChoice(raw: unknown, position: number, nextSize: NextFragmentSize): Json[] {
  if (!isPlainObject(raw)) {
    throw new TypeError(`splitChatCompletion() expects choices[${position}] to be a choice object, got ${describe(raw)}`)
  }
  const { index: rawIndex, message: rawMessage, finish_reason: finishReason, logprobs, ...choiceExtras } = raw
  const index = rawIndex === undefined || rawIndex === null ? position : rawIndex
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new TypeError(`splitChatCompletion() expects choices[${position}].index to be a non-negative integer, got ${describe(index)}`)
  }
  if (rawMessage !== undefined && rawMessage !== null && !isPlainObject(rawMessage)) {
    throw new TypeError(`splitChatCompletion() expects choices[${position}].message to be an object, got ${describe(rawMessage)}`)
  }
  const {
    role,
    content,
    refusal,
    reasoning_content: reasoningContent,
    reasoning,
    reasoning_details: reasoningDetails,
    tool_calls: toolCalls,
    function_call: functionCall,
    content_parts: contentParts,
    audio,
    annotations,
    ...messageExtras
  } = rawMessage ?? {}
  const lp = isPlainObject(logprobs) ? logprobs : undefined
  const out: Json[] = []
  const push = (delta: Json, chunkLogprobs: unknown = null): void => {
    out.push({ index, delta, logprobs: chunkLogprobs, finish_reason: null })
  }

  // The role chunk opens the string fields ("" for text, null otherwise) as OpenAI does; any other
  // value (content-part arrays) goes through whole.
  const roleDelta: Json = {
    role: role === undefined || role === null ? 'assistant' : role,
    content: typeof content === 'string' ? '' : clone(content ?? null),
    refusal: typeof refusal === 'string' ? '' : clone(refusal ?? null),
  }
  copyExtras(messageExtras, roleDelta)
  // With logprobs, the lists start as [] (or stay null) before any entry, exactly as in the completion.
  let initialLogprobs: unknown = clone(logprobs ?? null)
  if (lp) {
    const { content: lpContent, refusal: lpRefusal, ...lpExtras } = lp
    const first: Json = {
      content: Array.isArray(lpContent) ? [] : clone(lpContent ?? null),
      refusal: Array.isArray(lpRefusal) ? [] : clone(lpRefusal ?? null),
    }
    // Provider fields of the logprobs object ride on the first chunk's logprobs.
    copyExtras(lpExtras, first)
    initialLogprobs = first
  }
  push(roleDelta, initialLogprobs)

  function textPieces(text: string): string[] {
    return text === '' ? [''] : fragmentText(text, nextSize)
  }

  function emitField(field: string, value: unknown): void {
    if (value === undefined || value === null) return
    if (typeof value !== 'string') return push({ [field]: clone(value) })
    for (const piece of textPieces(value)) push({ [field]: piece })
  }

  // Reasoning under the name(s) it came in, each field from its own fragments. When both names hold
  // the same text, each delta carries the fragment under both (a mirror: one reasoning.delta event).
  if (typeof reasoningContent === 'string' && reasoningContent === reasoning) {
    for (const piece of textPieces(reasoningContent)) push({ reasoning_content: piece, reasoning: piece })
  } else {
    emitField('reasoning_content', reasoningContent)
    emitField('reasoning', reasoning)
  }

  if (reasoningDetails !== undefined && reasoningDetails !== null) {
    if (Array.isArray(reasoningDetails)) emitReasoningDetails(reasoningDetails, push, nextSize)
    else push({ reasoning_details: clone(reasoningDetails) })
  }

  emitText('content', content, lp?.content, push, nextSize)
  emitText('refusal', refusal, lp?.refusal, push, nextSize)
  // Content parts the accumulator did not understand (images, audio …) go back as a content-parts
  // array, the only way they reach `content_parts` again.
  if (Array.isArray(contentParts) && contentParts.length > 0) push({ content: clone(contentParts) })

  if (audio !== undefined && audio !== null) {
    if (!isPlainObject(audio)) push({ audio: clone(audio) })
    else {
      // OpenAI streams the id and expiry first, then data and transcript fragments.
      const { data, transcript, ...audioRest } = audio
      const first: Json = { ...clone(audioRest), data: '', transcript: '' }
      push({ audio: first })
      if (typeof data === 'string' && data !== '') for (const piece of fragmentText(data, nextSize)) push({ audio: { data: piece } })
      if (typeof transcript === 'string' && transcript !== '')
        for (const piece of fragmentText(transcript, nextSize)) push({ audio: { transcript: piece } })
    }
  }
  if (annotations !== undefined && annotations !== null) {
    if (!Array.isArray(annotations) || annotations.length === 0) push({ annotations: clone(annotations) })
    else for (const entry of annotations) push({ annotations: [clone(entry)] })
  }

  if (functionCall !== undefined && functionCall !== null) {
    if (!isPlainObject(functionCall)) push({ function_call: clone(functionCall) })
    else {
      const { name, arguments: args, ...fcExtras } = functionCall
      const first: Json = {
        name: name === undefined || name === null ? '' : clone(name),
        arguments: typeof args === 'string' ? '' : clone(args ?? ''),
      }
      copyExtras(fcExtras, first)
      push({ function_call: first })
      if (typeof args === 'string') for (const piece of fragmentText(args, nextSize)) push({ function_call: { arguments: piece } })
    }
  }

  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) push({ tool_calls: clone(toolCalls) })
    else {
      for (let k = 0; k < toolCalls.length; k++) {
        const call = toolCalls[k]
        if (!isPlainObject(call)) {
          push({ tool_calls: [clone(call)] })
          continue
        }
        // The call's position is its wire index; an `index` field on a finished call is not kept.
        const { index: _index, id, type, function: fn, custom, ...callExtras } = call
        const header: Json = { index: k }
        if (id !== undefined && id !== null && id !== '') header.id = clone(id)
        header.type = type === undefined || type === null ? 'function' : clone(type)
        let argPieces: string[] = []
        let inputPieces: string[] = []
        if (isPlainObject(custom)) {
          // A custom call streams as OpenAI sends it: { type: 'custom', custom: { name, input: '' } },
          // then { custom: { input } } fragments; it has no `function` member.
          const { name, input, ...customExtras } = custom
          const headerCustom: Json = { name: name === undefined || name === null ? '' : clone(name), input: '' }
          copyExtras(customExtras, headerCustom)
          header.custom = headerCustom
          if (typeof input === 'string') inputPieces = fragmentText(input, nextSize)
        } else if (isPlainObject(fn) || fn === undefined || fn === null) {
          const { name, arguments: args, ...fnExtras } = fn ?? {}
          const headerFn: Json = {
            name: name === undefined || name === null ? '' : clone(name),
            arguments: typeof args === 'string' ? '' : clone(args ?? ''),
          }
          copyExtras(fnExtras, headerFn)
          header.function = headerFn
          if (typeof args === 'string') argPieces = fragmentText(args, nextSize)
        } else header.function = clone(fn)
        copyExtras(callExtras, header)
        // OpenAI sends the first call's header in the role chunk when nothing came before it.
        if (k === 0 && out.length === 1) roleDelta.tool_calls = [header]
        else push({ tool_calls: [header] })
        for (const piece of argPieces) push({ tool_calls: [{ index: k, function: { arguments: piece } }] })
        for (const piece of inputPieces) push({ tool_calls: [{ index: k, custom: { input: piece } }] })
      }
    }
  }

  if (finishReason !== undefined && finishReason !== null) out.push({ index, delta: {}, logprobs: null, finish_reason: finishReason })
  // Choice extras (content_filter_results, native_finish_reason …) ride on the choice's last chunk.
  copyExtras(choiceExtras, out[out.length - 1]!, CHOICE_KEYS)
  return out
}

const CHOICE_KEYS = new Set(['index', 'delta', 'logprobs', 'finish_reason'])

/**
 * Content or refusal fragments with their logprobs entries: split at the tokens when they spell the
 * text, else in `fragmentSize` pieces with the entries spread evenly over them (in order). Entries
 * without text to ride on get a chunk each, with an empty delta.
 */
function emitText(
  field: 'content' | 'refusal',
  text: unknown,
  entries: unknown,
  push: (delta: Json, logprobs?: unknown) => void,
  nextSize: NextFragmentSize,
): void {
  const list = Array.isArray(entries) ? entries : undefined
  const logprobsOf = (slice: unknown[]): unknown => {
    if (!list) return null
    const copy = slice.map(clone)
    return field === 'content' ? { content: copy, refusal: null } : { content: null, refusal: copy }
  }
  let pieces: string[] = []
  if (typeof text === 'string' && text !== '') {
    pieces = list && spells(list, text) ? list.map((entry) => (entry as { token: string }).token) : fragmentText(text, nextSize)
  }
  const n = pieces.length
  const m = list ? list.length : 0
  if (n === 0) {
    for (let i = 0; i < m; i++) push({}, logprobsOf([list![i]]))
    return
  }
  for (let j = 0; j < n; j++) {
    const slice = list ? list.slice(Math.floor((j * m) / n), Math.floor(((j + 1) * m) / n)) : []
    push({ [field]: pieces[j] }, logprobsOf(slice))
  }
}

/** Whether the entries' tokens, concatenated, are exactly `text`. */
function spells(entries: unknown[], text: string): boolean {
  if (entries.length === 0) return false
  let offset = 0
  for (const entry of entries) {
    if (!isPlainObject(entry) || typeof entry.token !== 'string' || !text.startsWith(entry.token, offset)) return false
    offset += entry.token.length
  }
  return offset === text.length
}

/**
 * `reasoning_details` entries, one delta per fragment. The accumulator merges entries by
 * `(type, index ?? position in the delta's array)`, so an entry without `index` is placed (after
 * `null` padding, which it skips) at a position no other entry's key uses; otherwise two entries that
 * arrived apart would merge on the way back.
 */
function emitReasoningDetails(details: unknown[], push: (delta: Json) => void, nextSize: NextFragmentSize): void {
  const explicit = new Set<string>()
  for (const detail of details) {
    if (isPlainObject(detail) && detail.index !== undefined && detail.index !== null) explicit.add(detailKey(detail.type, detail.index))
  }
  const placed = new Set<string>()
  let emitted = false
  for (const detail of details) {
    if (!isPlainObject(detail)) continue
    let position = 0
    if (detail.index === undefined || detail.index === null) {
      while (explicit.has(detailKey(detail.type, position)) || placed.has(detailKey(detail.type, position))) position++
      placed.add(detailKey(detail.type, position))
    }
    const at = (fragment: Json): void => {
      const list: unknown[] = []
      for (let i = 0; i < position; i++) list.push(null)
      list.push(fragment)
      push({ reasoning_details: list })
      emitted = true
    }
    const text = detail.text
    const pieces = typeof text === 'string' && text !== '' ? fragmentText(text, nextSize) : undefined
    const first = clone(detail)
    if (pieces) first.text = pieces[0]
    at(first)
    if (!pieces) continue
    for (let i = 1; i < pieces.length; i++) {
      // Later fragments name the same entry and carry only text, which the accumulator appends.
      const fragment: Json = {}
      if (detail.type !== undefined) fragment.type = clone(detail.type)
      if (detail.index !== undefined) fragment.index = clone(detail.index)
      fragment.text = pieces[i]
      at(fragment)
    }
  }
  // An empty list is still a list: `reasoning_details: []` on the way back.
  if (!emitted) push({ reasoning_details: [] })
}

function detailKey(type: unknown, index: unknown): string {
  return `${String(type)}\u0000${String(index)}`
}

/** Copies the fields of `from` not in `skip` onto `to`, deep, leaving out `undefined`, `null` and `__proto__`. */
function copyExtras(from: Json, to: Json, skip?: Set<string>): void {
  for (const key of Object.keys(from)) {
    if (key === '__proto__' || skip?.has(key)) continue
    const value = from[key]
    if (value === undefined || value === null) continue
    to[key] = clone(value)
  }
}

/** Deep copy of JSON data, so the chunks share nothing with the completion (own `__proto__` keys dropped). */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(clone) as T
  const out: Json = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue
    const v = (value as Json)[key]
    if (v !== undefined) out[key] = clone(v)
  }
  return out as T
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return typeof value === 'object' ? 'an object' : typeof value
}
