// @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming and https://platform.openai.com/docs/api-reference/chat/object
import type { CompletionEvent, ReasoningField } from './completion-event.js'
import { DeltafoldError, ProviderError, type DeltafoldErrorCode } from '../errors.js'
import { chunkOf, intact, type FastTemplate } from './internal/fast-path.js'
import { createPartialJSONParser, type PartialJSONParser } from '../json/partial-json-parser.js'
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob, CompletionUsage } from './types.js'

/** Limits on everything a stream can make the accumulator hold. All are configurable. */
export interface ChatCompletionLimits {
  /** Number of choices; a choice `index` must be below it. @defaultValue 128 (the API's maximum `n`) */
  maxChoices?: number
  /** Tool calls per choice; a tool-call `index` must be below it. @defaultValue 128 */
  maxToolCalls?: number
  /** Nesting depth of kept unknown values, so the result always `JSON.stringify`s. @defaultValue 64 */
  maxDepth?: number
  /**
   * Total accumulated data, counted as it is received: text (content, refusal, reasoning, tool
   * names and arguments, unknown string fields) in UTF-16 code units, plus every kept value
   * (logprobs entries, usage, provider extras) at about its JSON size. Values that replace earlier
   * ones still count, so the budget bounds the work a stream can cause, not only what is kept.
   * @defaultValue 64 MiB (67,108,864)
   */
  maxBytes?: number
}

/** Options of {@link createChatCompletionAccumulator}. */
export interface ChatCompletionAccumulatorOptions {
  /** Receives every {@link CompletionEvent} in order. Nothing is built when it is absent. */
  onEvent?: (event: CompletionEvent) => void
  /** Limits; see {@link ChatCompletionLimits}. */
  limits?: ChatCompletionLimits
  /**
   * Turn leniencies into errors: a stream that ends before a choice finishes (`unexpected_eof`); a
   * missing choice or tool-call `index` (`invalid_index`); a tool-call index reused by another id
   * (`index_conflict`); object `arguments`, `content` parts arrays and numeric tool-call ids
   * (`invalid_type`); a `finish_reason` that is `""` or changes to another value (`invalid_chunk`).
   * @defaultValue false
   */
  strict?: boolean
  /**
   * Parse tool arguments (and JSON-mode content) incrementally: `tool_call.arguments.delta` and
   * `content.delta` events carry `partial`, `tool_call.done` and `content.done` carry `parsed` or
   * `parseError`. Each argument byte is parsed once.
   * @defaultValue false
   */
  parseArguments?: boolean
  /**
   * Emit a `chunk` event with each raw chunk. Listeners that only want the merged events (text,
   * tool arguments, partial values) can turn it off: on the fast path a `chunk` event means building
   * the chunk object the wire text stands for, most of what a listener costs there (bench tool-args
   * 1 MB with partial values read after every delta: 3.0x the time without a listener, 1.55x with
   * `chunkEvents: false`).
   * @defaultValue true
   */
  chunkEvents?: boolean
}

/** The object returned by {@link createChatCompletionAccumulator}. */
export interface ChatCompletionAccumulator {
  /**
   * Folds one parsed `chat.completion.chunk` (any provider's shape) into the completion. The first
   * error (bad input, a limit, a provider error, or an exception thrown by `onEvent`) stops the
   * accumulator: this and every later `push()` and `finish()` throw it. DeltafoldErrors carry
   * `partial`, the completion as it was when the error was raised.
   */
  push(chunk: ChatCompletionChunk | object): void
  /** The completion so far, at any moment (also after an error): a fresh copy the caller may keep. Never throws. */
  snapshot(): ChatCompletion
  /**
   * Ends the stream: emits the pending `.done` events and `done`, and returns the final completion.
   * Later calls return the same object without emitting anything again.
   */
  finish(): ChatCompletion
  /** Number of chunks pushed so far. */
  readonly chunkCount: number
}

/** Top-level fields with a meaning of their own; everything else is a provider extra. */
const KNOWN_TOP = new Set(['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier', 'choices', 'usage', 'error'])
/**
 * Top-level padding that only exists to vary chunk sizes (OpenAI `obfuscation`, Mistral `p`): it
 * stays on the raw chunks (as openai-python keeps it) and never reaches the completion.
 */
const PADDING = new Set(['obfuscation', 'p'])
/** Fields the built choice and message own: extras with these names never overwrite them. */
const CHOICE_FIELDS = new Set(['index', 'message', 'finish_reason', 'logprobs'])
const MESSAGE_FIELDS = new Set([
  'role',
  'content',
  'refusal',
  'reasoning_content',
  'reasoning',
  'reasoning_details',
  'tool_calls',
  'function_call',
  'content_parts',
])
/**
 * Delta fields that label a delta rather than stream text (harmony's `channel: "analysis"` on every
 * delta of gpt-oss): set, never appended, like `role`.
 */
const LABEL_FIELDS = new Set(['channel'])

interface ToolCallState {
  /** Appends since the last flatten of the arguments (see `grown`). */
  argPieces: number
  /** The wire index, or the one inferred for a call sent without one. */
  index: number
  /** Creation order: breaks ties between calls sharing a wire index (Gemini). */
  seq: number
  id: string
  type: string
  name: string
  args: string
  /** `tool_call.start` was emitted. */
  started: boolean
  extras: Record<string, unknown> | undefined
  functionExtras: Record<string, unknown> | undefined
  /** Incremental parser of `args` (with `parseArguments`); dropped when the arguments stop being JSON. */
  parser: PartialJSONParser | undefined
  /** Why `args` is not JSON, once the parser rejected it. */
  parseError: unknown
}

interface ChoiceState {
  index: number
  // Appends since the last flatten of content, refusal and reasoning (see `grown`): numbers on the
  // choice, as a [0, 0, 0] array took 72 bytes more per choice (many-streams bench, node 20).
  contentPieces: number
  refusalPieces: number
  reasoningPieces: number
  role: string | undefined
  content: string | null
  refusal: string | null
  reasoning: string | null
  // Which reasoning field names the provider used, so the final message writes them back.
  reasoningContentUsed: boolean
  reasoningUsed: boolean
  reasoningDetails: Map<string, Record<string, unknown>> | undefined
  // NO_CALLS (shared, never written) until the first call: an empty array per choice is 32 bytes.
  toolCalls: ToolCallState[]
  // Calls by id and by wire index: created with the first tool call (two empty Maps hold ~430 bytes).
  toolById: Map<string, ToolCallState> | undefined
  toolByIndex: Map<number, ToolCallState> | undefined
  // Next index for a call that arrives without one: above every index seen.
  nextToolIndex: number
  // The call touched last: an index-less, id-less tool-call delta continues it.
  lastCall: ToolCallState | undefined
  functionCall: { name: string; arguments: string } | undefined
  logprobs: { content: ChatCompletionTokenLogprob[] | null; refusal: ChatCompletionTokenLogprob[] | null } | undefined
  finishReason: string | null
  // `.done` events were emitted and no text, call or argument arrived since: they are not repeated.
  closed: boolean
  choiceExtras: Record<string, unknown> | undefined
  deltaExtras: Record<string, unknown> | undefined
  contentParts: unknown[] | undefined
  contentParser: PartialJSONParser | undefined
  contentParseError: unknown
}

/**
 * Creates the chunk accumulator: a state machine that folds `chat.completion.chunk` objects from any
 * OpenAI-compatible provider into one `chat.completion`, emits typed events as it goes, and keeps
 * everything it received retrievable through `snapshot()` even after an error.
 *
 * Merge rules (the provider quirks it handles): metadata from the first chunk where it is non-empty;
 * `usage` merged field by field, latest non-null wins (never summed), with Groq's `x_groq.usage` as a
 * fallback; choices keyed by `index`; `role` set, never appended; `content`/`refusal` concatenated,
 * `null` until a string delta arrives; content-part arrays split into text and thinking;
 * `reasoning_content`/`reasoning` concatenated under the name(s) used; `reasoning_details` merged by
 * `(type, index)`; tool calls matched by id, then index, then most recent, with names set (not
 * appended when repeated) and arguments appended; the last non-null `finish_reason` wins; unknown
 * fields kept (strings in a delta concatenate, other values: the latest non-null wins, objects merge).
 *
 * @param options - `onEvent`, `limits`, `strict`, `parseArguments`
 * @example
 * ```ts
 * import { createChatCompletionAccumulator } from '@deltafold/core'
 * const acc = createChatCompletionAccumulator()
 * acc.push({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] })
 * acc.push({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] })
 * acc.finish().choices[0]?.message.content // 'Hello'
 * ```
 */
export function createChatCompletionAccumulator(options: ChatCompletionAccumulatorOptions = {}): ChatCompletionAccumulator {
  return new Accumulator(createAccumulatorState(options))
}

/**
 * One accumulator's state. The steps below are module-level functions taking it first, so an
 * accumulator costs this object and its public wrapper, not a closure per step (57 closures of ~64
 * bytes each made an idle stream parser hold ~6.7 KB, many-streams bench, node 20). Every field is
 * set in the constructor: all states share one shape, which keeps the steps' property reads monomorphic.
 */
class AccumulatorState {
  readonly emit: ((event: CompletionEvent) => void) | undefined
  readonly strict: boolean
  readonly parseArguments: boolean
  readonly chunkEvents: boolean
  readonly maxChoices: number
  readonly maxToolCalls: number
  readonly maxDepth: number
  readonly maxBytes: number
  id: string | undefined = undefined
  model: string | undefined = undefined
  created: number | undefined = undefined
  systemFingerprint: string | undefined = undefined
  serviceTier: string | undefined = undefined
  usage: Record<string, unknown> | undefined = undefined
  groqUsage: Record<string, unknown> | undefined = undefined
  // Created with the first provider extra (an empty Map holds ~200 bytes).
  topExtras: Map<string, unknown> | undefined = undefined
  // The first choice; most streams have only this one.
  choice0: ChoiceState | undefined = undefined
  // Every choice by index, choice0 included: created with the second choice.
  choices: Map<number, ChoiceState> | undefined = undefined
  // Everything counted against maxBytes so far.
  bytes = 0
  chunkCount = 0
  // The first error stopped the accumulator: push() and finish() rethrow it, snapshot() still works.
  failure: unknown = undefined
  failed = false
  // finish() ran: push() is misuse, finish() returns the same completion.
  finalCompletion: ChatCompletion | undefined = undefined
  // Position of the choice being applied in its chunk's array, for error paths.
  chunkPos = 0

  constructor(
    emit: ((event: CompletionEvent) => void) | undefined,
    strict: boolean,
    parseArguments: boolean,
    chunkEvents: boolean,
    limits: ChatCompletionLimits,
  ) {
    this.emit = emit
    this.strict = strict
    this.parseArguments = parseArguments
    this.chunkEvents = chunkEvents
    this.maxChoices = limitOption(limits.maxChoices, 128, 'maxChoices')
    this.maxToolCalls = limitOption(limits.maxToolCalls, 128, 'maxToolCalls')
    this.maxDepth = limitOption(limits.maxDepth, 64, 'maxDepth')
    this.maxBytes = limitOption(limits.maxBytes, 64 * 1024 * 1024, 'maxBytes')
  }
}

/**
 * The public accumulator. Its methods are own closures over the state, so they still work detached
 * (`chunks.forEach(acc.push)`); `chunkCount` is a prototype getter: a getter in an object literal
 * puts the object in dictionary mode, ~590 bytes more per stream (measured on node 20, many-streams bench).
 */
class Accumulator implements ChatCompletionAccumulator {
  readonly push: (chunk: ChatCompletionChunk | object) => void
  readonly snapshot: () => ChatCompletion
  readonly finish: () => ChatCompletion
  readonly #state: AccumulatorState

  constructor(s: AccumulatorState) {
    this.#state = s
    this.push = (chunk) => push(s, chunk)
    this.snapshot = () => snapshot(s)
    this.finish = () => finish(s)
  }

  get chunkCount(): number {
    return this.#state.chunkCount
  }
}

/**
 * The state of a new accumulator, for the stream parser, which drives it with {@link pushChunk},
 * {@link pushFast}, {@link takeSnapshot} and {@link finishChunks} (not exported from the package).
 *
 * @param options - as for {@link createChatCompletionAccumulator}
 * @internal
 */
export function createAccumulatorState(options: ChatCompletionAccumulatorOptions): AccumulatorState {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createChatCompletionAccumulator() expects an options object or nothing, got ${describe(options)}`)
  }
  const emit = options.onEvent
  if (emit !== undefined && typeof emit !== 'function') {
    throw new TypeError(`options.onEvent must be a function, got ${describe(emit)}: pass (event) => { … } or leave it out`)
  }
  return new AccumulatorState(emit, options.strict === true, options.parseArguments === true, options.chunkEvents !== false, options.limits ?? {})
}

export type { AccumulatorState }
export { push as pushChunk, snapshot as takeSnapshot, finish as finishChunks }

function fail(code: DeltafoldErrorCode, message: string, path: string): never {
  throw new DeltafoldError(code, message, { path })
}

function count(s: AccumulatorState, n: number, path: string): void {
  s.bytes += n
  if (s.bytes > s.maxBytes) fail('limit_exceeded', `Accumulated stream exceeds maxBytes (${s.maxBytes}): at ${path}`, path)
}

function validIndex(value: unknown, limit: number, what: string, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < limit) return value
  fail('invalid_index', `Invalid ${what} index at ${path}: expected an integer from 0 to ${limit - 1}, got ${describe(value)}`, path)
}

/**
 * Copies a wire value to keep it: plain JSON data only, `__proto__` keys dropped (JSON.parse makes
 * them own keys; assigning one would hit the prototype setter), depth bounded by maxDepth (so the
 * result always stringifies), and its size counted against maxBytes as it is copied (so a huge
 * array fails before it is all copied). Recursion is bounded by maxDepth.
 */
function keep(s: AccumulatorState, value: unknown, path: string, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') {
    count(s, 4, path)
    return value
  }
  if (typeof value === 'number') {
    // JSON.parse turns 1e400 into Infinity, which JSON cannot write back: the result must stay JSON.
    if (!Number.isFinite(value)) fail('invalid_type', `Non-finite number at ${path}: ${String(value)} cannot be kept as JSON`, path)
    count(s, 8, path)
    return value
  }
  if (typeof value === 'string') {
    count(s, 2 + value.length, path)
    return value
  }
  if (value === undefined) return undefined
  if (typeof value !== 'object') fail('invalid_type', `Unsupported value at ${path}: ${typeof value} cannot be kept as JSON`, path)
  if (depth >= s.maxDepth) fail('max_depth', `Value at ${path} nests deeper than maxDepth (${s.maxDepth})`, path)
  count(s, 2, path)
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      count(s, 1, path)
      out.push(keep(s, value[i], path, depth + 1) ?? null)
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue
    const v = keep(s, (value as Record<string, unknown>)[key], path, depth + 1)
    if (v === undefined) continue
    count(s, key.length + 3, path)
    out[key] = v
  }
  return out
}

/** Merges a kept value into `target[key]`: objects deep-merge, otherwise the latest non-null wins. */
function mergeValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === null || value === undefined) return
  const current = Object.hasOwn(target, key) ? target[key] : undefined
  if (isPlainObject(current) && isPlainObject(value)) {
    for (const k of Object.keys(value)) mergeValue(current, k, value[k])
  } else target[key] = value
}

/** Keeps every field of `raw` (the `...rest` of a destructured wire object) in `target`, merged; null values are skipped. */
function keepExtras(s: AccumulatorState, 
  raw: Record<string, unknown>,
  target: Record<string, unknown> | undefined,
  path: string,
): Record<string, unknown> | undefined {
  for (const key of Object.keys(raw)) {
    if (key === '__proto__') continue
    const value = keep(s, raw[key], `${path}.${key}`)
    if (value === null || value === undefined) continue
    // The name is kept too: a long unknown key must cost what it holds.
    count(s, key.length + 3, `${path}.${key}`)
    target ??= {}
    mergeValue(target, key, value)
  }
  return target
}

/** The choice with this index, if it exists. */
function findChoice(s: AccumulatorState, index: number): ChoiceState | undefined {
  const first = s.choice0
  if (first !== undefined && first.index === index) return first
  return s.choices === undefined ? undefined : s.choices.get(index)
}

/** Every choice, in index order. */
function sortedChoices(s: AccumulatorState): ChoiceState[] {
  if (s.choices !== undefined) return [...s.choices.values()].sort((a, b) => a.index - b.index)
  return s.choice0 === undefined ? [] : [s.choice0]
}

function getChoice(s: AccumulatorState, index: number): ChoiceState {
  let choice = findChoice(s, index)
  if (choice) return choice
  const size = s.choices !== undefined ? s.choices.size : s.choice0 !== undefined ? 1 : 0
  if (size >= s.maxChoices) {
    fail('limit_exceeded', `Too many choices: more than maxChoices (${s.maxChoices})`, `$.choices[${s.chunkPos}]`)
  }
  choice = {
    index,
    role: undefined,
    content: null,
    refusal: null,
    reasoning: null,
    reasoningContentUsed: false,
    contentPieces: 0,
    refusalPieces: 0,
    reasoningPieces: 0,
    reasoningUsed: false,
    reasoningDetails: undefined,
    toolCalls: NO_CALLS,
    toolById: undefined,
    toolByIndex: undefined,
    nextToolIndex: 0,
    lastCall: undefined,
    functionCall: undefined,
    logprobs: undefined,
    finishReason: null,
    closed: false,
    choiceExtras: undefined,
    deltaExtras: undefined,
    contentParts: undefined,
    contentParser: undefined,
    contentParseError: undefined,
  }
  if (s.choice0 === undefined) s.choice0 = choice
  else {
    // A second choice: from now on every choice is in the Map, in creation order.
    if (s.choices === undefined) s.choices = new Map([[s.choice0.index, s.choice0]])
    s.choices.set(index, choice)
  }
  return choice
}

/** The first error stops the accumulator and gets the partial result. */
function stop(s: AccumulatorState, error: unknown): never {
  s.failed = true
  s.failure = error
  if (error instanceof DeltafoldError) error.partial ??= build(s)
  throw error
}

function push(s: AccumulatorState, chunk: ChatCompletionChunk | object): void {
  if (s.finalCompletion) throw new TypeError('push() was called after finish(): create a new accumulator for the next stream')
  if (s.failed) throw s.failure
  try {
    apply(s, chunk)
  } catch (error) {
    stop(s, error)
  }
}

/** Applies a chunk; `emitted`: the fast path counted it and emitted its `chunk` event already. */
function apply(s: AccumulatorState, chunk: unknown, emitted?: boolean): void {
  const emit = s.emit
  const c = chunk as Record<string, unknown>
  if (!emitted) {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      throw new DeltafoldError('invalid_chunk', `Expected a chat.completion.chunk object, got ${describe(chunk)}`, { path: '$' })
    }
    s.chunkCount++
    if (emit && s.chunkEvents) emit({ type: 'chunk', chunk: chunk as ChatCompletionChunk })
  }
  applyMetadata(s, c)
  const list = c.choices
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) fail('invalid_type', `Expected choices to be an array, got ${describe(list)}`, '$.choices')
    for (let i = 0; i < list.length; i++) {
      s.chunkPos = i
      applyChoice(s, list[i], `$.choices[${i}]`)
    }
  }
  applyUsage(s, c)
  // OpenRouter sends an error inside an otherwise normal chunk: its choices and usage count first.
  const error = c.error
  if (error !== undefined && error !== null) {
    const message = isPlainObject(error) && typeof error.message === 'string' ? error.message : describe(error)
    throw new ProviderError('upstream_error', `The provider sent an error: ${message}`, keep(s, error, '$.error'), { path: '$.error' })
  }
}

function applyMetadata(s: AccumulatorState, c: Record<string, unknown>): void {
  // Azure's filter chunk carries "" and 0: only the first non-empty value counts (never grouped by id).
  if (s.id === undefined) s.id = nonEmptyString(c.id, '$.id')
  if (s.model === undefined) s.model = nonEmptyString(c.model, '$.model')
  if (s.systemFingerprint === undefined) s.systemFingerprint = nonEmptyString(c.system_fingerprint, '$.system_fingerprint')
  if (s.serviceTier === undefined) s.serviceTier = nonEmptyString(c.service_tier, '$.service_tier')
  if (s.created === undefined && c.created !== undefined && c.created !== null) {
    if (typeof c.created !== 'number' || !Number.isFinite(c.created)) {
      fail('invalid_type', `Expected created to be a finite number, got ${describe(c.created)}`, '$.created')
    }
    if (c.created !== 0) s.created = c.created
  }
  for (const key of Object.keys(c)) {
    if (KNOWN_TOP.has(key) || PADDING.has(key) || key === '__proto__') continue
    const value = keep(s, c[key], `$.${key}`)
    if (value === null || value === undefined) continue
    count(s, key.length + 3, `$.${key}`)
    const current = s.topExtras === undefined ? undefined : s.topExtras.get(key)
    if (isPlainObject(current) && isPlainObject(value)) {
      for (const k of Object.keys(value)) mergeValue(current, k, value[k])
    } else (s.topExtras ??= new Map()).set(key, value)
    if (key === 'x_groq' && isPlainObject(value) && isPlainObject(value.usage)) {
      // Only the token counts make a usage; the timing fields stay in x_groq.
      s.groqUsage ??= {}
      for (const k of Object.keys(value.usage)) if (k.includes('tokens')) mergeValue(s.groqUsage, k, value.usage[k])
    }
  }
}

function applyUsage(s: AccumulatorState, c: Record<string, unknown>): void {
  const emit = s.emit
  const u = c.usage
  if (u === undefined || u === null) return
  if (!isPlainObject(u)) fail('invalid_type', `Expected usage to be an object, got ${describe(u)}`, '$.usage')
  const kept = keep(s, u, '$.usage') as Record<string, unknown>
  s.usage ??= {}
  // Usage replaces, never adds up: field by field, the latest non-null value wins.
  for (const key of Object.keys(kept)) mergeValue(s.usage, key, kept[key])
  if (emit) emit({ type: 'usage', usage: clone(s.usage) as unknown as CompletionUsage })
}

function nonEmptyString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') fail('invalid_type', `Expected ${path.slice(2)} to be a string, got ${describe(value)}`, path)
  return value
}

function applyChoice(s: AccumulatorState, raw: unknown, path: string): void {
  const emit = s.emit
  if (!isPlainObject(raw)) fail('invalid_type', `Expected a choice object at ${path}, got ${describe(raw)}`, path)
  const { index: rawIndex, delta, finish_reason: finishReason, logprobs, ...rest } = raw
  let index = 0
  if (rawIndex === undefined || rawIndex === null) {
    if (s.strict) fail('invalid_index', `Missing choice index at ${path}.index (strict mode)`, `${path}.index`)
  } else index = validIndex(rawIndex, s.maxChoices, 'choice', `${path}.index`)
  const choice = getChoice(s, index)
  // Provider fields of the choice (Azure content_filter_results, OpenRouter native_finish_reason).
  choice.choiceExtras = keepExtras(s, rest, choice.choiceExtras, path)
  // A choice without a delta (Azure's async filter results) changes only metadata.
  if (delta !== undefined && delta !== null) {
    if (!isPlainObject(delta)) fail('invalid_type', `Expected a delta object at ${path}.delta, got ${describe(delta)}`, `${path}.delta`)
    applyDelta(s, choice, delta, `${path}.delta`)
  }
  if (logprobs !== undefined && logprobs !== null) applyLogprobs(s, choice, logprobs, `${path}.logprobs`)
  // The delta of the same chunk is applied first; the last non-null finish_reason wins.
  if (finishReason === undefined || finishReason === null) return
  if (typeof finishReason !== 'string') {
    fail('invalid_type', `Expected finish_reason to be a string, got ${describe(finishReason)}`, `${path}.finish_reason`)
  }
  if (finishReason === '') {
    if (s.strict) fail('invalid_chunk', `Empty finish_reason at ${path}.finish_reason (strict mode)`, `${path}.finish_reason`)
    return
  }
  const previous = choice.finishReason
  if (s.strict && previous !== null && previous !== finishReason) {
    fail(
      'invalid_chunk',
      `finish_reason of choice ${index} changed from "${previous}" to "${finishReason}" (strict mode)`,
      `${path}.finish_reason`,
    )
  }
  if (previous !== finishReason) count(s, finishReason.length, `${path}.finish_reason`)
  choice.finishReason = finishReason
  const wasOpen = !choice.closed
  closeChoice(s, choice)
  // A repeated finish_reason (OpenRouter's usage chunk, MiniMax) with nothing new is not a new finish.
  if (emit && (wasOpen || previous !== finishReason)) emit({ type: 'finish', index, finishReason })
}

function applyDelta(s: AccumulatorState, choice: ChoiceState, delta: Record<string, unknown>, path: string): void {
  const emit = s.emit
  const {
    role,
    content,
    refusal,
    reasoning_content: reasoningContent,
    reasoning,
    reasoning_details: reasoningDetails,
    tool_calls: toolCalls,
    function_call: functionCall,
    ...rest
  } = delta
  if (role !== undefined && role !== null && role !== '') {
    if (typeof role !== 'string') fail('invalid_type', `Expected role to be a string, got ${describe(role)}`, `${path}.role`)
    // Role is set, never appended (OpenRouter and Perplexity repeat it on every delta).
    if (choice.role !== role) {
      count(s, role.length, `${path}.role`)
      choice.role = role
      if (emit) emit({ type: 'role', index: choice.index, role })
    }
  }
  if (content !== undefined && content !== null) {
    if (typeof content === 'string') appendContent(s, choice, content, `${path}.content`)
    else if (Array.isArray(content)) applyContentParts(s, choice, content, `${path}.content`)
    else fail('invalid_type', `Expected content to be a string or an array of parts, got ${describe(content)}`, `${path}.content`)
  }
  if (refusal !== undefined && refusal !== null) {
    if (typeof refusal !== 'string') fail('invalid_type', `Expected refusal to be a string, got ${describe(refusal)}`, `${path}.refusal`)
    count(s, refusal.length, `${path}.refusal`)
    if (choice.refusal === null) choice.refusal = refusal
    else {
      const next = choice.refusal + refusal
      choice.refusalPieces = grown(choice.refusalPieces, next)
      choice.refusal = next
    }
    if (refusal !== '') {
      choice.closed = false
      if (emit) emit({ type: 'refusal.delta', index: choice.index, delta: refusal })
    }
  }
  const rc = optionalString(reasoningContent, `${path}.reasoning_content`)
  const r = optionalString(reasoning, `${path}.reasoning`)
  if (rc !== undefined) {
    choice.reasoningContentUsed = true
    appendReasoning(s, choice, rc, 'reasoning_content', `${path}.reasoning_content`)
  }
  if (r !== undefined) {
    choice.reasoningUsed = true
    // One delta carrying both names with the same text counts once.
    if (r !== rc) appendReasoning(s, choice, r, 'reasoning', `${path}.reasoning`)
  }
  if (reasoningDetails !== undefined && reasoningDetails !== null) {
    applyReasoningDetails(s, choice, reasoningDetails, `${path}.reasoning_details`)
  }
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) fail('invalid_type', `Expected tool_calls to be an array, got ${describe(toolCalls)}`, `${path}.tool_calls`)
    for (let i = 0; i < toolCalls.length; i++) applyToolCall(s, choice, toolCalls[i], `${path}.tool_calls[${i}]`)
  }
  if (functionCall !== undefined && functionCall !== null) applyFunctionCall(s, choice, functionCall, `${path}.function_call`)
  for (const key of Object.keys(rest)) {
    if (key === '__proto__') continue
    const value = rest[key]
    if (value === null || value === undefined) continue
    choice.deltaExtras ??= {}
    count(s, key.length + 3, `${path}.${key}`)
    const current = Object.hasOwn(choice.deltaExtras, key) ? choice.deltaExtras[key] : undefined
    // Unknown string fields concatenate (text streamed under a new name); labels and other values: latest wins.
    if (typeof value === 'string' && !LABEL_FIELDS.has(key)) {
      count(s, value.length, `${path}.${key}`)
      choice.deltaExtras[key] = typeof current === 'string' ? current + value : value
    } else mergeValue(choice.deltaExtras, key, keep(s, value, `${path}.${key}`))
  }
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') fail('invalid_type', `Expected ${path.slice(path.lastIndexOf('.') + 1)} to be a string, got ${describe(value)}`, path)
  return value
}

function appendContent(s: AccumulatorState, choice: ChoiceState, text: string, path: string): void {
  const emit = s.emit
  count(s, text.length, path)
  const first = choice.content === null
  if (first) choice.content = text
  else {
    const next = (choice.content as string) + text
    choice.contentPieces = grown(choice.contentPieces, next)
    choice.content = next
  }
  if (s.parseArguments && first) choice.contentParser = createPartialJSONParser()
  if (text === '') return
  choice.closed = false
  let partial: unknown
  const parser = choice.contentParser
  if (parser) {
    try {
      parser.feed(text)
      partial = parser.value
    } catch (error) {
      // Not JSON: plain text content. Stop parsing; content.done reports the error.
      choice.contentParser = undefined
      choice.contentParseError = error
    }
  }
  if (emit) {
    if (s.parseArguments) emit({ type: 'content.delta', index: choice.index, delta: text, partial })
    else emit({ type: 'content.delta', index: choice.index, delta: text })
  }
}

function appendReasoning(s: AccumulatorState, choice: ChoiceState, text: string, field: ReasoningField, path: string): void {
  const emit = s.emit
  count(s, text.length, path)
  if (choice.reasoning === null) choice.reasoning = text
  else {
    const next = choice.reasoning + text
    choice.reasoningPieces = grown(choice.reasoningPieces, next)
    choice.reasoning = next
  }
  if (text === '') return
  choice.closed = false
  if (emit) emit({ type: 'reasoning.delta', index: choice.index, delta: text, field })
}

function applyContentParts(s: AccumulatorState, choice: ChoiceState, parts: unknown[], path: string): void {
  if (s.strict) fail('invalid_type', `Expected content to be a string, got an array of parts at ${path} (strict mode)`, path)
  // Mistral thinking: text parts are content, thinking parts are reasoning.
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    const partPath = `${path}[${i}]`
    if (isPlainObject(part) && part.type === 'text' && typeof part.text === 'string') {
      appendContent(s, choice, part.text, `${partPath}.text`)
    } else if (isPlainObject(part) && part.type === 'thinking') {
      const thinking = part.thinking
      if (typeof thinking === 'string') appendReasoning(s, choice, thinking, 'content', `${partPath}.thinking`)
      else if (Array.isArray(thinking)) {
        for (let j = 0; j < thinking.length; j++) {
          const t = thinking[j]
          if (isPlainObject(t) && typeof t.text === 'string') appendReasoning(s, choice, t.text, 'content', `${partPath}.thinking[${j}].text`)
        }
      }
    } else if (typeof part === 'string') appendContent(s, choice, part, partPath)
    else if (part !== null && part !== undefined) {
      // Unknown part types are kept as they came, in `content_parts` on the message.
      choice.contentParts ??= []
      choice.contentParts.push(keep(s, part, partPath))
    }
  }
}

function applyReasoningDetails(s: AccumulatorState, choice: ChoiceState, details: unknown, path: string): void {
  if (!Array.isArray(details)) fail('invalid_type', `Expected reasoning_details to be an array, got ${describe(details)}`, path)
  choice.reasoningDetails ??= new Map()
  for (let i = 0; i < details.length; i++) {
    const detail = keep(s, details[i], `${path}[${i}]`)
    if (!isPlainObject(detail)) continue
    // OpenRouter sends fragments of one entry under the same (type, index).
    const key = `${String(detail.type)}\u0000${String(detail.index ?? i)}`
    const current = choice.reasoningDetails.get(key)
    if (!current) {
      choice.reasoningDetails.set(key, detail)
      continue
    }
    for (const k of Object.keys(detail)) {
      const v = detail[k]
      // Text fragments concatenate; signature, data, format, id: set when non-empty.
      if ((k === 'text' || k === 'summary') && typeof v === 'string') {
        current[k] = typeof current[k] === 'string' ? current[k] + v : v
      } else if (v !== '') mergeValue(current, k, v)
    }
  }
}

function applyToolCall(s: AccumulatorState, choice: ChoiceState, raw: unknown, path: string): void {
  if (!isPlainObject(raw)) fail('invalid_type', `Expected a tool call object at ${path}, got ${describe(raw)}`, path)
  const { index: rawIndex, id: rawId, type, function: fn, ...rest } = raw
  let index: number | undefined
  if (rawIndex !== undefined && rawIndex !== null) index = validIndex(rawIndex, s.maxToolCalls, 'tool call', `${path}.index`)
  else if (s.strict) fail('invalid_index', `Missing tool call index at ${path}.index (strict mode)`, `${path}.index`)
  let callId: string | undefined
  if (typeof rawId === 'string') callId = rawId === '' ? undefined : rawId
  else if (typeof rawId === 'number' && Number.isFinite(rawId) && !s.strict) callId = String(rawId)
  else if (rawId !== undefined && rawId !== null) fail('invalid_type', `Expected tool call id to be a string, got ${describe(rawId)}`, `${path}.id`)
  if (type !== undefined && type !== null && typeof type !== 'string') {
    fail('invalid_type', `Expected tool call type to be a string, got ${describe(type)}`, `${path}.type`)
  }
  if (fn !== undefined && fn !== null && !isPlainObject(fn)) fail('invalid_type', `Expected function to be an object, got ${describe(fn)}`, `${path}.function`)

  // Target: a known id, then the index (a new id at a taken index starts a new call: Gemini shares
  // index 0), then (no index) a new id starts a new call, else the most recent call continues.
  const toolById = (choice.toolById ??= new Map())
  const toolByIndex = (choice.toolByIndex ??= new Map())
  let call: ToolCallState | undefined = callId === undefined ? undefined : toolById.get(callId)
  if (!call && index !== undefined) {
    const atIndex = toolByIndex.get(index)
    if (atIndex && callId !== undefined && atIndex.id !== '' && atIndex.id !== callId) {
      if (s.strict) {
        fail('index_conflict', `Tool call index ${index} reused by id "${callId}" while it holds id "${atIndex.id}" (strict mode)`, `${path}.index`)
      }
    } else call = atIndex
  }
  if (!call && index === undefined && callId === undefined) call = choice.lastCall
  if (!call) {
    if (choice.toolCalls.length >= s.maxToolCalls) {
      fail('limit_exceeded', `Too many tool calls in choice ${choice.index}: more than maxToolCalls (${s.maxToolCalls})`, path)
    }
    call = {
      index: index ?? choice.nextToolIndex,
      seq: choice.toolCalls.length,
      argPieces: 0,
      id: '',
      type: '',
      name: '',
      args: '',
      started: false,
      extras: undefined,
      functionExtras: undefined,
      parser: s.parseArguments ? createPartialJSONParser() : undefined,
      parseError: undefined,
    }
    if (choice.toolCalls === NO_CALLS) choice.toolCalls = [call]
    else choice.toolCalls.push(call)
    choice.closed = false
  }
  choice.lastCall = call
  if (index !== undefined) toolByIndex.set(index, call)
  else if (!toolByIndex.has(call.index)) toolByIndex.set(call.index, call)
  if (call.index >= choice.nextToolIndex) choice.nextToolIndex = call.index + 1
  if (callId !== undefined) {
    toolById.set(callId, call)
    // id and type: the first non-empty value; repeats (Kimi, Qwen) and later ids are ignored.
    if (call.id === '') {
      count(s, callId.length, `${path}.id`)
      call.id = callId
    }
  }
  if (typeof type === 'string' && type !== '' && call.type === '') {
    count(s, type.length, `${path}.type`)
    call.type = type
  }
  let argsDelta: string | undefined
  if (isPlainObject(fn)) {
    const { name, arguments: args, ...fnRest } = fn
    if (name !== undefined && name !== null) {
      if (typeof name !== 'string') fail('invalid_type', `Expected function name to be a string, got ${describe(name)}`, `${path}.function.name`)
      // Set when empty, skipped when repeated (Kimi, MiniMax), appended when it is a new fragment.
      if (name !== '' && name !== call.name) {
        count(s, name.length, `${path}.function.name`)
        call.name = call.name === '' ? name : call.name + name
      }
    }
    if (args !== undefined && args !== null) {
      if (typeof args === 'string') {
        if (args !== '') {
          count(s, args.length, `${path}.function.arguments`)
          const next = call.args + args
          call.argPieces = grown(call.argPieces, next)
          call.args = next
          argsDelta = args
        }
      } else if (typeof args === 'object') {
        if (s.strict) fail('invalid_type', `Expected function arguments to be a string, got ${describe(args)} (strict mode)`, `${path}.function.arguments`)
        // llama.cpp and TGI send whole objects: they replace what was accumulated.
        const text = JSON.stringify(keep(s, args, `${path}.function.arguments`))
        call.args = text
        if (s.parseArguments) {
          call.parser = createPartialJSONParser()
          call.parseError = undefined
        }
        argsDelta = text
      } else fail('invalid_type', `Expected function arguments to be a string, got ${describe(args)}`, `${path}.function.arguments`)
    }
    call.functionExtras = keepExtras(s, fnRest, call.functionExtras, `${path}.function`)
  }
  // Provider fields on the call (Gemini's extra_content.google.thought_signature), deep-merged.
  call.extras = keepExtras(s, rest, call.extras, path)
  toolCallDelta(s, choice, call, argsDelta)
}

/** The end of a tool-call delta: `tool_call.start` when due, then the arguments fragment, if any. */
function toolCallDelta(s: AccumulatorState, choice: ChoiceState, call: ToolCallState, argsDelta: string | undefined): void {
  const emit = s.emit
  // The start waits for the name (it may come after the id), but never past the first arguments.
  if (!call.started && (call.name !== '' || argsDelta !== undefined)) startCall(s, choice, call)
  if (argsDelta !== undefined) {
    choice.closed = false
    let partial: unknown
    const parser = call.parser
    if (parser) {
      try {
        parser.feed(argsDelta)
        partial = parser.value
      } catch (error) {
        // Invalid JSON from the model is a per-call problem: tool_call.done reports it.
        call.parser = undefined
        call.parseError = error
      }
    }
    if (emit) {
      const event: CompletionEvent = {
        type: 'tool_call.arguments.delta',
        index: choice.index,
        toolCallIndex: call.index,
        id: call.id,
        delta: argsDelta,
      }
      if (s.parseArguments) event.partial = partial
      emit(event)
    }
  }
}

/**
 * The fast entry, for the stream parser only: applies the payload `t` matched last (see
 * `internal/fast-path.ts`) exactly as `push(JSON.parse(payload))` would, emitting the same events
 * (the `chunk` event's object is built from the template) and raising the same errors; it returns
 * false, having changed nothing, when it cannot (no such choice or tool call yet, the accumulator
 * stopped), and the caller then takes the generic path.
 *
 * It does what `apply` does for a chunk of the template's shape (see `shapeOf` in
 * internal/fast-path.ts), step for step. Metadata, null usage, error, finish_reason and logprobs are
 * no-ops once the template's own chunk was applied; the provider fields it carries go through
 * `applyMetadata` and `keepExtras` as in `apply`; then the delta, in `applyDelta` and
 * `applyToolCall` order. Paths are those of `$.choices[0]`.
 *
 * @param s - the accumulator's state
 * @param t - the template, holding the values of the payload it matched last
 * @internal
 */
export
function pushFast(s: AccumulatorState, t: FastTemplate): boolean {
  const emit = s.emit
  if (s.finalCompletion || s.failed) return false
  // Indexes of existing choices and calls are below their limits: no validIndex needed.
  const choice = findChoice(s, t.choice)
  if (!choice) return false
  let call: ToolCallState | undefined
  if (t.field === 'arguments') {
    call = choice.toolByIndex?.get(t.tool)
    if (!call) return false
  }
  try {
    s.chunkCount++
    if (emit && s.chunkEvents) {
      // Building the chunk for the event (and checking it for changes afterwards) is most of what a
      // listener costs on this path; a lazy accessor measured no cheaper (V8 makes accessor objects
      // slow), so it is built eagerly.
      const chunk = chunkOf(t)
      emit({ type: 'chunk', chunk: chunk as ChatCompletionChunk })
      // The listener changed the chunk: apply what it holds now, as push() would have.
      if (!intact(t, chunk)) {
        apply(s, chunk, true)
        return true
      }
    }
    s.chunkPos = 0
    const rest = t.rest
    if (rest) {
      if (rest.top) applyMetadata(s, rest.top)
      if (rest.choice) choice.choiceExtras = keepExtras(s, rest.choice, choice.choiceExtras, '$.choices[0]')
    }
    const role = t.role
    // Role is set, never appended: as in applyDelta.
    if (role !== undefined && choice.role !== role) {
      count(s, role.length, '$.choices[0].delta.role')
      choice.role = role
      if (emit) emit({ type: 'role', index: choice.index, role })
    }
    const text = t.text
    switch (t.field) {
      case 'content':
        appendContent(s, choice, text, '$.choices[0].delta.content')
        return true
      case 'reasoning_content':
        choice.reasoningContentUsed = true
        appendReasoning(s, choice, text, 'reasoning_content', '$.choices[0].delta.reasoning_content')
        return true
      case 'reasoning':
        choice.reasoningUsed = true
        appendReasoning(s, choice, text, 'reasoning', '$.choices[0].delta.reasoning')
        return true
    }
    // applyToolCall for { index, function: { arguments } } with id and name absent, null or "": the call at the index.
    call = call!
    choice.lastCall = call
    if (call.index >= choice.nextToolIndex) choice.nextToolIndex = call.index + 1
    const type = t.toolType
    if (type !== undefined && type !== '' && call.type === '') {
      count(s, type.length, '$.choices[0].delta.tool_calls[0].type')
      call.type = type
    }
    let argsDelta: string | undefined
    if (text !== '') {
      count(s, text.length, '$.choices[0].delta.tool_calls[0].function.arguments')
      const next = call.args + text
      call.argPieces = grown(call.argPieces, next)
      call.args = next
      argsDelta = text
    }
    if (rest?.fn) call.functionExtras = keepExtras(s, rest.fn, call.functionExtras, '$.choices[0].delta.tool_calls[0].function')
    if (rest?.call) call.extras = keepExtras(s, rest.call, call.extras, '$.choices[0].delta.tool_calls[0]')
    toolCallDelta(s, choice, call, argsDelta)
    return true
  } catch (error) {
    stop(s, error)
  }
}

function startCall(s: AccumulatorState, choice: ChoiceState, call: ToolCallState): void {
  const emit = s.emit
  call.started = true
  if (emit) emit({ type: 'tool_call.start', index: choice.index, toolCallIndex: call.index, id: call.id, name: call.name })
}

function applyFunctionCall(s: AccumulatorState, choice: ChoiceState, fn: unknown, path: string): void {
  if (!isPlainObject(fn)) fail('invalid_type', `Expected function_call to be an object, got ${describe(fn)}`, path)
  const name = optionalString(fn.name, `${path}.name`)
  const args = optionalString(fn.arguments, `${path}.arguments`)
  choice.functionCall ??= { name: '', arguments: '' }
  // The legacy function_call follows the tool-call rules: name set (not repeated), arguments appended.
  if (name !== undefined && name !== '' && name !== choice.functionCall.name) {
    count(s, name.length, `${path}.name`)
    choice.functionCall.name += name
  }
  if (args !== undefined) {
    count(s, args.length, `${path}.arguments`)
    choice.functionCall.arguments += args
  }
}

function applyLogprobs(s: AccumulatorState, choice: ChoiceState, raw: unknown, path: string): void {
  const emit = s.emit
  if (!isPlainObject(raw)) fail('invalid_type', `Expected logprobs to be an object, got ${describe(raw)}`, path)
  choice.logprobs ??= { content: null, refusal: null }
  for (const field of ['content', 'refusal'] as const) {
    const list = raw[field]
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) fail('invalid_type', `Expected logprobs.${field} to be an array, got ${describe(list)}`, `${path}.${field}`)
    const target = (choice.logprobs[field] ??= [])
    if (list.length === 0) continue
    const added: ChatCompletionTokenLogprob[] = []
    for (let i = 0; i < list.length; i++) {
      const entry = (keep(s, list[i], `${path}.${field}[${i}]`) ?? null) as ChatCompletionTokenLogprob
      target.push(entry)
      added.push(entry)
    }
    if (emit) {
      if (field === 'content') emit({ type: 'logprobs.content.delta', index: choice.index, content: clone(added) })
      else emit({ type: 'logprobs.refusal.delta', index: choice.index, refusal: clone(added) })
    }
  }
}

/** Emits the `.done` events of a choice, once per burst of new data. */
function closeChoice(s: AccumulatorState, choice: ChoiceState): void {
  const emit = s.emit
  if (choice.closed) return
  choice.closed = true
  if (!emit) return
  const index = choice.index
  for (const call of choice.toolCalls) if (!call.started) startCall(s, choice, call)
  if (choice.content !== null) {
    const event: CompletionEvent = { type: 'content.done', index, content: choice.content }
    if (s.parseArguments && choice.content !== '') {
      if (choice.contentParser) {
        try {
          event.parsed = choice.contentParser.end()
        } catch (error) {
          event.parseError = error as Error
        }
      } else event.parseError = choice.contentParseError as Error
    }
    emit(event)
  }
  if (choice.refusal !== null) emit({ type: 'refusal.done', index, refusal: choice.refusal })
  if (choice.reasoning !== null) emit({ type: 'reasoning.done', index, reasoning: choice.reasoning })
  for (const call of sortedCalls(choice)) {
    const event: CompletionEvent = {
      type: 'tool_call.done',
      index,
      toolCallIndex: call.index,
      id: call.id,
      name: call.name,
      arguments: call.args,
    }
    if (s.parseArguments) {
      // A call with no arguments at all has "" arguments: it parses as {} so tools without parameters work.
      if (call.args === '') event.parsed = {}
      else if (call.parser) {
        try {
          event.parsed = call.parser.end()
        } catch (error) {
          event.parseError = error as Error
        }
      } else event.parseError = call.parseError as Error
    }
    emit(event)
  }
}

function build(s: AccumulatorState): ChatCompletion {
  const out: Record<string, unknown> = {
    id: s.id ?? '',
    object: 'chat.completion',
    created: s.created ?? 0,
    model: s.model ?? '',
  }
  if (s.systemFingerprint !== undefined) out.system_fingerprint = s.systemFingerprint
  if (s.serviceTier !== undefined) out.service_tier = s.serviceTier
  out.choices = sortedChoices(s).map(buildChoice)
  const u = s.usage ?? s.groqUsage
  if (u !== undefined) out.usage = clone(u)
  // Provider extras after the known fields; KNOWN_TOP keeps them from overwriting any.
  if (s.topExtras !== undefined) for (const [key, value] of s.topExtras) out[key] = clone(value)
  return out as unknown as ChatCompletion
}

function buildChoice(choice: ChoiceState): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: choice.role ?? 'assistant',
    content: choice.content,
    refusal: choice.refusal,
  }
  if (choice.reasoning !== null) {
    // Mistral's thinking parts have no field name of their own: they are written as reasoning_content.
    const onlyParts = !choice.reasoningContentUsed && !choice.reasoningUsed
    if (choice.reasoningContentUsed || onlyParts) message.reasoning_content = choice.reasoning
    if (choice.reasoningUsed) message.reasoning = choice.reasoning
  }
  if (choice.reasoningDetails) message.reasoning_details = [...choice.reasoningDetails.values()].map(clone)
  if (choice.toolCalls.length > 0) {
    message.tool_calls = sortedCalls(choice).map((call) => {
      const fn: Record<string, unknown> = { name: call.name, arguments: call.args }
      if (call.functionExtras) copyExtras(call.functionExtras, fn, FUNCTION_FIELDS)
      const out: Record<string, unknown> = { id: call.id, type: call.type === '' ? 'function' : call.type, function: fn }
      if (call.extras) copyExtras(call.extras, out, TOOL_CALL_FIELDS)
      return out
    })
  }
  if (choice.functionCall) message.function_call = { name: choice.functionCall.name, arguments: choice.functionCall.arguments }
  if (choice.contentParts) message.content_parts = clone(choice.contentParts)
  if (choice.deltaExtras) copyExtras(choice.deltaExtras, message, MESSAGE_FIELDS)
  const out: Record<string, unknown> = {
    index: choice.index,
    message,
    finish_reason: choice.finishReason,
    logprobs: choice.logprobs
      ? {
          content: choice.logprobs.content ? choice.logprobs.content.map(clone) : null,
          refusal: choice.logprobs.refusal ? choice.logprobs.refusal.map(clone) : null,
        }
      : null,
  }
  if (choice.choiceExtras) copyExtras(choice.choiceExtras, out, CHOICE_FIELDS)
  return out
}

function snapshot(s: AccumulatorState): ChatCompletion {
  if (s.finalCompletion) return clone(s.finalCompletion)
  return build(s)
}

function finish(s: AccumulatorState): ChatCompletion {
  const emit = s.emit
  if (s.finalCompletion) return s.finalCompletion
  if (s.failed) throw s.failure
  let completion: ChatCompletion
  try {
    const sorted = sortedChoices(s)
    if (s.strict) {
      const open = sorted.find((c) => c.finishReason === null)
      if (open) {
        throw new DeltafoldError('unexpected_eof', `The stream ended before choice ${open.index} sent a finish_reason (strict mode)`, {
          path: `$.choices[${open.index}].finish_reason`,
        })
      }
    }
    for (const choice of sorted) closeChoice(s, choice)
    completion = build(s)
    if (emit) emit({ type: 'done', completion })
  } catch (error) {
    stop(s, error)
  }
  s.finalCompletion = completion
  return completion
}

/** The tool calls of a choice that has none: shared, so it is never pushed to (see `applyToolCall`). */
const NO_CALLS: ToolCallState[] = []

const TOOL_CALL_FIELDS = new Set(['id', 'type', 'function'])
const FUNCTION_FIELDS = new Set(['name', 'arguments'])

/** Tool calls dense and in index order; calls sharing an index (Gemini) in arrival order. */
function sortedCalls(choice: ChoiceState): ToolCallState[] {
  return [...choice.toolCalls].sort((a, b) => a.index - b.index || a.seq - b.seq)
}

/** Copies kept extras onto an output object, except the fields the output owns. */
function copyExtras(extras: Record<string, unknown>, out: Record<string, unknown>, owned: Set<string>): void {
  for (const key of Object.keys(extras)) if (!owned.has(key)) out[key] = clone(extras[key])
}

function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`limits.${name} must be a positive number, got ${describe(value)}: leave it out for the default of ${fallback}`)
  }
  return value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return typeof value === 'object' ? 'an object' : typeof value
}

/** Deep copy of data the accumulator kept (plain JSON, bounded depth, no `__proto__` keys). */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(clone) as T
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key])
  return out as T
}

/**
 * Counts one append that made `next` (`current + text`) and flattens `next` when due; returns the
 * appends since the last flatten. Appending with `+` builds a V8 rope that costs ~32 bytes per piece
 * plus a ~40-byte string per fragment until something flattens it: two million one-character deltas
 * held 64 MB for 2 MB of text. Flattening (any character access does it, in place) once
 * `max(FLATTEN_PIECES, length / 64)` pieces have piled up bounds that overhead to half the text at an
 * amortized 64 copied characters per append, whatever the minimum, so the total stays linear
 * (measured: 2 MB held instead of 64 MB, same time).
 */
function grown(pieces: number, next: string): number {
  if (++pieces >= FLATTEN_PIECES && pieces >= next.length >>> 6) {
    next.charCodeAt(0)
    return 0
  }
  return pieces
}

/**
 * The fewest appends between two flattens. Small, so that short texts stay nearly flat: with 1024,
 * an idle stream 20 chunks in (360 characters) held ~560 bytes more, all rope (many-streams bench, node 20).
 */
const FLATTEN_PIECES = 8
