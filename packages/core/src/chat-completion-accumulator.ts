import type { CompletionEvent, ReasoningField } from './completion-event.js'
import { DeltafoldError, ProviderError } from './errors.js'
import { createPartialJSONParser, type PartialJSONParser } from './partial-json-parser.js'
import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatCompletionMessage,
  ChatCompletionTokenLogprob,
  CompletionUsage,
} from './types.js'

/** Limits on everything a stream can make the accumulator hold. All are configurable. */
export interface ChatCompletionLimits {
  /** Number of choices; a choice `index` must be below it. @defaultValue 128 (the API's maximum `n`) */
  maxChoices?: number
  /** Tool calls per choice; a tool-call `index` must be below it. @defaultValue 128 */
  maxToolCalls?: number
  /** Nesting depth of kept unknown values, so the result always `JSON.stringify`s. @defaultValue 64 */
  maxDepth?: number
  /**
   * Total accumulated text (content, refusal, reasoning, tool arguments, unknown string fields, in
   * UTF-16 code units) plus logprobs entries (counted by size).
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
   * Turn leniencies into errors: a stream that ends before a choice finishes (`unexpected_eof`), a
   * missing choice or tool-call `index`, a tool-call index reused by another id (`index_conflict`),
   * object `arguments`, `content` parts arrays.
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
}

/** The object returned by {@link createChatCompletionAccumulator}. */
export interface ChatCompletionAccumulator {
  /** Folds one parsed `chat.completion.chunk` (any provider's shape) into the completion. */
  push(chunk: ChatCompletionChunk | object): void
  /** The completion so far, at any moment: a fresh copy the caller may keep. Never throws. */
  snapshot(): ChatCompletion
  /** Ends the stream: emits the pending `.done` events and `done`, and returns the final completion. */
  finish(): ChatCompletion
  /** Number of chunks pushed so far. */
  readonly chunkCount: number
}

const KNOWN_TOP = new Set(['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier', 'choices', 'usage', 'error'])

interface ToolCallState {
  index: number
  seq: number
  id: string
  type: string
  name: string
  args: string
  started: boolean
  extras: Record<string, unknown> | undefined
  functionExtras: Record<string, unknown> | undefined
  parser: PartialJSONParser | undefined
}

interface ChoiceState {
  index: number
  role: string | undefined
  content: string | null
  refusal: string | null
  reasoning: string | null
  // Which reasoning field names the provider used, so the final message writes them back.
  reasoningContentUsed: boolean
  reasoningUsed: boolean
  reasoningDetails: Map<string, Record<string, unknown>> | undefined
  toolCalls: ToolCallState[]
  toolById: Map<string, ToolCallState>
  toolByIndex: Map<number, ToolCallState>
  nextToolIndex: number
  functionCall: { name: string; arguments: string } | undefined
  logprobs: { content: ChatCompletionTokenLogprob[] | null; refusal: ChatCompletionTokenLogprob[] | null } | undefined
  finishReason: string | null
  // `.done` events were emitted and nothing arrived since: the stream end emits them no more.
  closed: boolean
  choiceExtras: Record<string, unknown> | undefined
  deltaExtras: Record<string, unknown> | undefined
  contentParts: unknown[] | undefined
  contentParser: PartialJSONParser | undefined
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
  const emit = options.onEvent
  const strict = options.strict === true
  const parseArguments = options.parseArguments === true
  const limits = options.limits ?? {}
  const maxChoices = limitOption(limits.maxChoices, 128, 'maxChoices')
  const maxToolCalls = limitOption(limits.maxToolCalls, 128, 'maxToolCalls')
  const maxDepth = limitOption(limits.maxDepth, 64, 'maxDepth')
  const maxBytes = limitOption(limits.maxBytes, 64 * 1024 * 1024, 'maxBytes')

  let id: string | undefined
  let model: string | undefined
  let created: number | undefined
  let systemFingerprint: string | undefined
  let serviceTier: string | undefined
  let usage: Record<string, unknown> | undefined
  let groqUsage: Record<string, unknown> | undefined
  const topExtras = new Map<string, unknown>()
  const choices = new Map<number, ChoiceState>()
  let bytes = 0
  let chunkCount = 0
  // An error stopped the accumulator: push() rethrows it, snapshot() still works.
  let failure: DeltafoldError | undefined
  // finish() ran: push() is misuse.
  let finished = false
  let finalCompletion: ChatCompletion | undefined
  // Path of the value being applied, for error messages; built only when an error is raised.
  let chunkPos = 0

  function fail(code: DeltafoldError['code'], message: string, path: string): never {
    throw new DeltafoldError(code, message, { path })
  }

  function count(n: number, path: string): void {
    bytes += n
    if (bytes > maxBytes) fail('limit_exceeded', `Accumulated stream exceeds maxBytes (${maxBytes}): at ${path}`, path)
  }

  function validIndex(value: unknown, limit: number, what: string, path: string): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < limit) return value
    fail(
      'invalid_index',
      `Invalid ${what} index at ${path}: expected an integer from 0 to ${limit - 1}, got ${describe(value)}`,
      path,
    )
  }

  function copy(value: unknown, path: string, depth = 0): unknown {
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value
    if (typeof value !== 'object') {
      if (value === undefined) return undefined
      fail('invalid_type', `Unsupported value at ${path}: ${typeof value} cannot be kept as JSON`, path)
    }
    if (depth >= maxDepth) fail('max_depth', `Value at ${path} nests deeper than maxDepth (${maxDepth})`, path)
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length)
      for (let i = 0; i < value.length; i++) out[i] = copy(value[i], path, depth + 1) ?? null
      return out
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      // An own `__proto__` key (JSON.parse makes one) would hit the prototype setter: drop it.
      if (key === '__proto__') continue
      const v = copy((value as Record<string, unknown>)[key], path, depth + 1)
      if (v !== undefined) out[key] = v
    }
    return out
  }

  /** Merges a copied value into `target[key]`: objects deep-merge, otherwise the latest non-null wins. */
  function mergeValue(target: Record<string, unknown>, key: string, value: unknown): void {
    if (value === null || value === undefined) return
    const current = target[key]
    if (isPlainObject(current) && isPlainObject(value)) {
      for (const k of Object.keys(value)) mergeValue(current, k, value[k])
    } else target[key] = value
  }

  function getChoice(index: number): ChoiceState {
    let choice = choices.get(index)
    if (choice) return choice
    if (choices.size >= maxChoices) {
      fail('limit_exceeded', `Too many choices: more than maxChoices (${maxChoices})`, `$.choices[${chunkPos}]`)
    }
    choice = {
      index,
      role: undefined,
      content: null,
      refusal: null,
      reasoning: null,
      reasoningContentUsed: false,
      reasoningUsed: false,
      reasoningDetails: undefined,
      toolCalls: [],
      toolById: new Map(),
      toolByIndex: new Map(),
      nextToolIndex: 0,
      functionCall: undefined,
      logprobs: undefined,
      finishReason: null,
      closed: false,
      choiceExtras: undefined,
      deltaExtras: undefined,
      contentParts: undefined,
      contentParser: undefined,
    }
    choices.set(index, choice)
    return choice
  }

  function push(chunk: ChatCompletionChunk | object): void {
    if (finished) throw new TypeError('push() was called after finish(): create a new accumulator for the next stream')
    if (failure) throw failure
    try {
      apply(chunk)
    } catch (error) {
      if (error instanceof DeltafoldError) {
        failure = error
        error.partial ??= build()
      }
      throw error
    }
  }

  function apply(chunk: unknown): void {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      throw new DeltafoldError('invalid_chunk', `Expected a chat.completion.chunk object, got ${describe(chunk)}`, { path: '$' })
    }
    chunkCount++
    const c = chunk as Record<string, unknown>
    if (emit) emit({ type: 'chunk', chunk: chunk as ChatCompletionChunk })
    applyMetadata(c)
    const list = c.choices
    if (list !== undefined && list !== null) {
      if (!Array.isArray(list)) fail('invalid_type', `Expected choices to be an array, got ${describe(list)}`, '$.choices')
      for (let i = 0; i < list.length; i++) {
        chunkPos = i
        applyChoice(list[i], `$.choices[${i}]`)
      }
    }
    applyUsage(c)
    const error = c.error
    if (error !== undefined && error !== null) {
      const message = isPlainObject(error) && typeof error.message === 'string' ? error.message : describe(error)
      throw new ProviderError('upstream_error', `The provider sent an error: ${message}`, copy(error, '$.error'), { path: '$.error' })
    }
  }

  function applyMetadata(c: Record<string, unknown>): void {
    // Azure's filter chunk carries "" and 0: only the first non-empty value counts.
    if (id === undefined) id = nonEmptyString(c.id, '$.id')
    if (model === undefined) model = nonEmptyString(c.model, '$.model')
    if (systemFingerprint === undefined) systemFingerprint = nonEmptyString(c.system_fingerprint, '$.system_fingerprint')
    if (serviceTier === undefined) serviceTier = nonEmptyString(c.service_tier, '$.service_tier')
    if (created === undefined && c.created !== undefined && c.created !== null) {
      if (typeof c.created !== 'number') fail('invalid_type', `Expected created to be a number, got ${describe(c.created)}`, '$.created')
      if (c.created !== 0) created = c.created
    }
    for (const key of Object.keys(c)) {
      if (KNOWN_TOP.has(key) || key === '__proto__') continue
      const value = copy(c[key], `$.${key}`)
      if (value === null || value === undefined) continue
      const current = topExtras.get(key)
      if (isPlainObject(current) && isPlainObject(value)) {
        for (const k of Object.keys(value)) mergeValue(current, k, value[k])
      } else topExtras.set(key, value)
      if (key === 'x_groq' && isPlainObject(value) && isPlainObject(value.usage)) {
        groqUsage ??= {}
        for (const k of Object.keys(value.usage)) mergeValue(groqUsage, k, value.usage[k])
      }
    }
  }

  function applyUsage(c: Record<string, unknown>): void {
    const u = c.usage
    if (u === undefined || u === null) return
    if (!isPlainObject(u)) fail('invalid_type', `Expected usage to be an object, got ${describe(u)}`, '$.usage')
    const copied = copy(u, '$.usage') as Record<string, unknown>
    usage ??= {}
    // Usage replaces, never adds up: field by field, the latest non-null value wins.
    for (const key of Object.keys(copied)) mergeValue(usage, key, copied[key])
    if (emit) emit({ type: 'usage', usage: copy(usage, '$.usage') as unknown as CompletionUsage })
  }

  function nonEmptyString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value !== 'string') fail('invalid_type', `Expected ${path.slice(2)} to be a string, got ${describe(value)}`, path)
    return value
  }

  function applyChoice(raw: unknown, path: string): void {
    if (!isPlainObject(raw)) fail('invalid_type', `Expected a choice object at ${path}, got ${describe(raw)}`, path)
    const { index: rawIndex, delta, finish_reason: finishReason, logprobs, ...rest } = raw
    let index = 0
    if (rawIndex === undefined || rawIndex === null) {
      if (strict) fail('invalid_index', `Missing choice index at ${path}.index (strict mode)`, `${path}.index`)
    } else index = validIndex(rawIndex, maxChoices, 'choice', `${path}.index`)
    const choice = getChoice(index)
    for (const key of Object.keys(rest)) {
      if (key === '__proto__') continue
      const value = copy(rest[key], `${path}.${key}`)
      if (value === null || value === undefined) continue
      choice.choiceExtras ??= {}
      mergeValue(choice.choiceExtras, key, value)
    }
    // A choice without a delta (Azure's async filter results) changes only metadata.
    if (delta !== undefined && delta !== null) {
      if (!isPlainObject(delta)) fail('invalid_type', `Expected a delta object at ${path}.delta, got ${describe(delta)}`, `${path}.delta`)
      choice.closed = false
      applyDelta(choice, delta, `${path}.delta`)
    }
    if (logprobs !== undefined && logprobs !== null) applyLogprobs(choice, logprobs, `${path}.logprobs`)
    // The delta of the same chunk is applied first; the last non-null finish_reason wins.
    if (finishReason !== undefined && finishReason !== null && finishReason !== '') {
      if (typeof finishReason !== 'string') {
        fail('invalid_type', `Expected finish_reason to be a string, got ${describe(finishReason)}`, `${path}.finish_reason`)
      }
      choice.finishReason = finishReason
      if (emit) emit({ type: 'finish', index, finishReason })
      closeChoice(choice)
    }
  }

  function applyDelta(choice: ChoiceState, delta: Record<string, unknown>, path: string): void {
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
        choice.role = role
        if (emit) emit({ type: 'role', index: choice.index, role })
      }
    }
    if (content !== undefined && content !== null) {
      if (typeof content === 'string') appendContent(choice, content, `${path}.content`)
      else if (Array.isArray(content)) applyContentParts(choice, content, `${path}.content`)
      else fail('invalid_type', `Expected content to be a string or an array of parts, got ${describe(content)}`, `${path}.content`)
    }
    if (refusal !== undefined && refusal !== null) {
      if (typeof refusal !== 'string') fail('invalid_type', `Expected refusal to be a string, got ${describe(refusal)}`, `${path}.refusal`)
      count(refusal.length, `${path}.refusal`)
      choice.refusal = choice.refusal === null ? refusal : choice.refusal + refusal
      if (emit) emit({ type: 'refusal.delta', index: choice.index, delta: refusal })
    }
    const rc = optionalString(reasoningContent, `${path}.reasoning_content`)
    const r = optionalString(reasoning, `${path}.reasoning`)
    if (rc !== undefined) {
      choice.reasoningContentUsed = true
      appendReasoning(choice, rc, 'reasoning_content', path)
    }
    if (r !== undefined) {
      choice.reasoningUsed = true
      // One delta carrying both names with the same text counts once.
      if (r !== rc) appendReasoning(choice, r, 'reasoning', path)
    }
    if (reasoningDetails !== undefined && reasoningDetails !== null) {
      applyReasoningDetails(choice, reasoningDetails, `${path}.reasoning_details`)
    }
    if (toolCalls !== undefined && toolCalls !== null) {
      if (!Array.isArray(toolCalls)) fail('invalid_type', `Expected tool_calls to be an array, got ${describe(toolCalls)}`, `${path}.tool_calls`)
      for (let i = 0; i < toolCalls.length; i++) applyToolCall(choice, toolCalls[i], `${path}.tool_calls[${i}]`)
    }
    if (functionCall !== undefined && functionCall !== null) applyFunctionCall(choice, functionCall, `${path}.function_call`)
    for (const key of Object.keys(rest)) {
      if (key === '__proto__') continue
      const value = rest[key]
      if (value === null || value === undefined) continue
      choice.deltaExtras ??= {}
      // Unknown string fields concatenate (text streamed under a new name); other values: latest wins.
      if (typeof value === 'string') {
        count(value.length, `${path}.${key}`)
        const current = choice.deltaExtras[key]
        choice.deltaExtras[key] = typeof current === 'string' ? current + value : value
      } else mergeValue(choice.deltaExtras, key, copy(value, `${path}.${key}`))
    }
  }

  function optionalString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') fail('invalid_type', `Expected ${path.slice(path.lastIndexOf('.') + 1)} to be a string, got ${describe(value)}`, path)
    return value
  }

  function appendContent(choice: ChoiceState, text: string, path: string): void {
    count(text.length, path)
    choice.content = choice.content === null ? text : choice.content + text
    if (parseArguments && choice.contentParser === undefined && choice.content === text) {
      choice.contentParser = createPartialJSONParser()
    }
    let partial: unknown
    const parser = choice.contentParser
    if (parser) {
      try {
        parser.feed(text)
        partial = parser.value
      } catch {
        // Not JSON: plain text content. Stop parsing; content.done reports the error.
      }
    }
    if (emit) {
      if (parser) emit({ type: 'content.delta', index: choice.index, delta: text, partial })
      else emit({ type: 'content.delta', index: choice.index, delta: text })
    }
  }

  function appendReasoning(choice: ChoiceState, text: string, field: ReasoningField, path: string): void {
    count(text.length, path)
    choice.reasoning = choice.reasoning === null ? text : choice.reasoning + text
    if (emit) emit({ type: 'reasoning.delta', index: choice.index, delta: text, field })
  }

  function applyContentParts(choice: ChoiceState, parts: unknown[], path: string): void {
    if (strict) fail('invalid_type', `Content parts array at ${path} (strict mode)`, path)
    // Mistral thinking: text parts are content, thinking parts are reasoning.
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]
      const partPath = `${path}[${i}]`
      if (isPlainObject(part) && part.type === 'text' && typeof part.text === 'string') {
        appendContent(choice, part.text, `${partPath}.text`)
      } else if (isPlainObject(part) && part.type === 'thinking') {
        const thinking = part.thinking
        if (typeof thinking === 'string') appendReasoning(choice, thinking, 'content', `${partPath}.thinking`)
        else if (Array.isArray(thinking)) {
          for (let j = 0; j < thinking.length; j++) {
            const t = thinking[j]
            if (isPlainObject(t) && typeof t.text === 'string') appendReasoning(choice, t.text, 'content', `${partPath}.thinking[${j}].text`)
          }
        }
      } else if (typeof part === 'string') appendContent(choice, part, partPath)
      else if (part !== null && part !== undefined) {
        // Unknown part types are kept as they came, in `content_parts` on the message.
        choice.contentParts ??= []
        choice.contentParts.push(copy(part, partPath))
      }
    }
  }

  function applyReasoningDetails(choice: ChoiceState, details: unknown, path: string): void {
    if (!Array.isArray(details)) fail('invalid_type', `Expected reasoning_details to be an array, got ${describe(details)}`, path)
    choice.reasoningDetails ??= new Map()
    for (let i = 0; i < details.length; i++) {
      const detail = copy(details[i], `${path}[${i}]`)
      if (!isPlainObject(detail)) continue
      // OpenRouter sends fragments of one entry under the same (type, index).
      const key = `${String(detail.type)}\u0000${String(detail.index ?? i)}`
      const current = choice.reasoningDetails.get(key)
      if (!current) {
        if (typeof detail.text === 'string') count(detail.text.length, `${path}[${i}].text`)
        choice.reasoningDetails.set(key, detail)
        continue
      }
      for (const k of Object.keys(detail)) {
        const v = detail[k]
        if (k === 'text' && typeof v === 'string') {
          count(v.length, `${path}[${i}].text`)
          current.text = typeof current.text === 'string' ? current.text + v : v
        } else if (v !== null && v !== undefined && v !== '') mergeValue(current, k, v)
      }
    }
  }

  function applyToolCall(choice: ChoiceState, raw: unknown, path: string): void {
    if (!isPlainObject(raw)) fail('invalid_type', `Expected a tool call object at ${path}, got ${describe(raw)}`, path)
    const { index: rawIndex, id: rawId, type, function: fn, ...rest } = raw
    let index: number | undefined
    if (rawIndex !== undefined && rawIndex !== null) index = validIndex(rawIndex, maxToolCalls, 'tool call', `${path}.index`)
    else if (strict) fail('invalid_index', `Missing tool call index at ${path}.index (strict mode)`, `${path}.index`)
    let callId: string | undefined
    if (typeof rawId === 'string') callId = rawId === '' ? undefined : rawId
    else if (typeof rawId === 'number' && Number.isFinite(rawId)) callId = String(rawId)
    else if (rawId !== undefined && rawId !== null) fail('invalid_type', `Expected tool call id to be a string, got ${describe(rawId)}`, `${path}.id`)

    // Target: a known id, then the index (a new id at a taken index starts a new call: Gemini shares
    // index 0), then (no index) a new id starts a new call, else the most recent call continues.
    let call: ToolCallState | undefined = callId === undefined ? undefined : choice.toolById.get(callId)
    if (!call && index !== undefined) {
      const atIndex = choice.toolByIndex.get(index)
      if (atIndex && !(callId !== undefined && atIndex.id !== '' && atIndex.id !== callId)) call = atIndex
      else if (atIndex && strict) {
        fail('index_conflict', `Tool call index ${index} reused by id "${callId}" while it holds id "${atIndex.id}"`, `${path}.index`)
      }
    }
    if (!call && index === undefined && callId === undefined) call = choice.toolCalls[choice.toolCalls.length - 1]
    if (!call) {
      if (choice.toolCalls.length >= maxToolCalls) {
        fail('limit_exceeded', `Too many tool calls in choice ${choice.index}: more than maxToolCalls (${maxToolCalls})`, path)
      }
      call = {
        index: index ?? choice.nextToolIndex,
        seq: choice.toolCalls.length,
        id: '',
        type: '',
        name: '',
        args: '',
        started: false,
        extras: undefined,
        functionExtras: undefined,
        parser: undefined,
      }
      choice.toolCalls.push(call)
      if (parseArguments) call.parser = createPartialJSONParser()
    }
    if (index !== undefined) choice.toolByIndex.set(index, call)
    else if (!choice.toolByIndex.has(call.index)) choice.toolByIndex.set(call.index, call)
    if (call.index >= choice.nextToolIndex) choice.nextToolIndex = call.index + 1
    if (callId !== undefined) {
      choice.toolById.set(callId, call)
      if (call.id === '') call.id = callId
    }
    if (typeof type === 'string') {
      if (call.type === '' && type !== '') call.type = type
    } else if (type !== undefined && type !== null) fail('invalid_type', `Expected tool call type to be a string, got ${describe(type)}`, `${path}.type`)
    let argsDelta: string | undefined
    if (fn !== undefined && fn !== null) {
      if (!isPlainObject(fn)) fail('invalid_type', `Expected function to be an object, got ${describe(fn)}`, `${path}.function`)
      const { name, arguments: args, ...fnRest } = fn
      if (name !== undefined && name !== null) {
        if (typeof name !== 'string') fail('invalid_type', `Expected function name to be a string, got ${describe(name)}`, `${path}.function.name`)
        // Set when empty, skipped when repeated (Kimi, MiniMax), appended when it is a new fragment.
        if (name !== '' && name !== call.name) {
          count(name.length, `${path}.function.name`)
          call.name = call.name === '' ? name : call.name + name
        }
      }
      if (args !== undefined && args !== null) {
        if (typeof args === 'string') {
          if (args !== '') {
            count(args.length, `${path}.function.arguments`)
            call.args += args
            argsDelta = args
          }
        } else if (typeof args === 'object') {
          if (strict) fail('invalid_type', `Expected function arguments to be a string, got ${describe(args)}`, `${path}.function.arguments`)
          // llama.cpp and TGI send whole objects: they replace what was accumulated.
          const text = JSON.stringify(copy(args, `${path}.function.arguments`))
          count(text.length, `${path}.function.arguments`)
          call.args = text
          if (call.parser) call.parser = createPartialJSONParser()
          argsDelta = text
        } else fail('invalid_type', `Expected function arguments to be a string, got ${describe(args)}`, `${path}.function.arguments`)
      }
      for (const key of Object.keys(fnRest)) {
        if (key === '__proto__') continue
        const value = copy(fnRest[key], `${path}.function.${key}`)
        if (value === null || value === undefined) continue
        call.functionExtras ??= {}
        mergeValue(call.functionExtras, key, value)
      }
    }
    for (const key of Object.keys(rest)) {
      if (key === '__proto__') continue
      const value = copy(rest[key], `${path}.${key}`)
      if (value === null || value === undefined) continue
      call.extras ??= {}
      mergeValue(call.extras, key, value)
    }
    if (!call.started) {
      call.started = true
      if (emit) emit({ type: 'tool_call.start', index: choice.index, toolCallIndex: call.index, id: call.id, name: call.name })
    }
    if (argsDelta !== undefined) {
      let partial: unknown
      const parser = call.parser
      if (parser) {
        try {
          parser.feed(argsDelta)
          partial = parser.value
        } catch {
          // Invalid JSON from the model is a per-call problem: tool_call.done reports it.
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
        if (parser) event.partial = partial
        emit(event)
      }
    }
  }

  function applyFunctionCall(choice: ChoiceState, fn: unknown, path: string): void {
    if (!isPlainObject(fn)) fail('invalid_type', `Expected function_call to be an object, got ${describe(fn)}`, path)
    choice.functionCall ??= { name: '', arguments: '' }
    const name = optionalString(fn.name, `${path}.name`)
    if (name !== undefined && name !== '' && name !== choice.functionCall.name) choice.functionCall.name += name
    const args = optionalString(fn.arguments, `${path}.arguments`)
    if (args !== undefined) {
      count(args.length, `${path}.arguments`)
      choice.functionCall.arguments += args
    }
  }

  function applyLogprobs(choice: ChoiceState, raw: unknown, path: string): void {
    if (!isPlainObject(raw)) fail('invalid_type', `Expected logprobs to be an object, got ${describe(raw)}`, path)
    choice.logprobs ??= { content: null, refusal: null }
    for (const field of ['content', 'refusal'] as const) {
      const list = raw[field]
      if (list === undefined || list === null) continue
      if (!Array.isArray(list)) fail('invalid_type', `Expected logprobs.${field} to be an array, got ${describe(list)}`, `${path}.${field}`)
      const target = (choice.logprobs[field] ??= [])
      const added: ChatCompletionTokenLogprob[] = []
      for (let i = 0; i < list.length; i++) {
        const entry = copy(list[i], `${path}.${field}[${i}]`) as ChatCompletionTokenLogprob
        const top = isPlainObject(entry) && Array.isArray(entry.top_logprobs) ? entry.top_logprobs.length : 0
        const token = isPlainObject(entry) && typeof entry.token === 'string' ? entry.token.length : 0
        count(64 + token + 64 * top, `${path}.${field}[${i}]`)
        target.push(entry)
        added.push(entry)
      }
      if (emit && added.length > 0) {
        if (field === 'content') emit({ type: 'logprobs.content.delta', index: choice.index, content: added })
        else emit({ type: 'logprobs.refusal.delta', index: choice.index, refusal: added })
      }
    }
  }

  function closeChoice(choice: ChoiceState): void {
    if (choice.closed) return
    choice.closed = true
    if (!emit && !parseArguments) return
    const index = choice.index
    if (choice.content !== null && emit) {
      const event: CompletionEvent = { type: 'content.done', index, content: choice.content }
      if (choice.contentParser) {
        try {
          event.parsed = endParser(choice.contentParser, choice.content)
        } catch (error) {
          event.parseError = error as Error
        }
      }
      emit(event)
    }
    if (choice.refusal !== null && emit) emit({ type: 'refusal.done', index, refusal: choice.refusal })
    if (choice.reasoning !== null && emit) emit({ type: 'reasoning.done', index, reasoning: choice.reasoning })
    for (const call of choice.toolCalls) {
      if (!emit) break
      const event: CompletionEvent = {
        type: 'tool_call.done',
        index,
        toolCallIndex: call.index,
        id: call.id,
        name: call.name,
        arguments: call.args,
      }
      if (call.parser) {
        try {
          event.parsed = endParser(call.parser, call.args)
        } catch (error) {
          event.parseError = error as Error
        }
      }
      emit(event)
    }
  }

  function build(): ChatCompletion {
    const out: Record<string, unknown> = {
      id: id ?? '',
      object: 'chat.completion',
      created: created ?? 0,
      model: model ?? '',
    }
    if (systemFingerprint !== undefined) out.system_fingerprint = systemFingerprint
    if (serviceTier !== undefined) out.service_tier = serviceTier
    const sorted = [...choices.values()].sort((a, b) => a.index - b.index)
    out.choices = sorted.map(buildChoice)
    const u = usage ?? groqUsage
    if (u !== undefined) out.usage = clone(u)
    for (const [key, value] of topExtras) out[key] = clone(value)
    return out as unknown as ChatCompletion
  }

  function buildChoice(choice: ChoiceState): ChatCompletionChoice {
    const message: Record<string, unknown> = {
      role: choice.role ?? 'assistant',
      content: choice.content,
      refusal: choice.refusal,
    }
    if (choice.reasoning !== null) {
      const onlyParts = !choice.reasoningContentUsed && !choice.reasoningUsed
      if (choice.reasoningContentUsed || onlyParts) message.reasoning_content = choice.reasoning
      if (choice.reasoningUsed) message.reasoning = choice.reasoning
    }
    if (choice.reasoningDetails) message.reasoning_details = [...choice.reasoningDetails.values()].map(clone)
    if (choice.toolCalls.length > 0) {
      const calls = [...choice.toolCalls].sort((a, b) => a.index - b.index || a.seq - b.seq)
      message.tool_calls = calls.map((call) => {
        const fn: Record<string, unknown> = { name: call.name, arguments: call.args }
        if (call.functionExtras) for (const k of Object.keys(call.functionExtras)) fn[k] = clone(call.functionExtras[k])
        const out: Record<string, unknown> = { id: call.id, type: call.type === '' ? 'function' : call.type, function: fn }
        if (call.extras) for (const k of Object.keys(call.extras)) out[k] = clone(call.extras[k])
        return out
      })
    }
    if (choice.functionCall) message.function_call = { ...choice.functionCall }
    if (choice.contentParts) message.content_parts = clone(choice.contentParts)
    if (choice.deltaExtras) for (const k of Object.keys(choice.deltaExtras)) message[k] = clone(choice.deltaExtras[k])
    const out: Record<string, unknown> = {
      index: choice.index,
      message: message as unknown as ChatCompletionMessage,
      finish_reason: choice.finishReason,
      logprobs: choice.logprobs
        ? {
            content: choice.logprobs.content ? choice.logprobs.content.map(clone) : null,
            refusal: choice.logprobs.refusal ? choice.logprobs.refusal.map(clone) : null,
          }
        : null,
    }
    if (choice.choiceExtras) for (const k of Object.keys(choice.choiceExtras)) out[k] = clone(choice.choiceExtras[k])
    return out as unknown as ChatCompletionChoice
  }

  function snapshot(): ChatCompletion {
    if (finalCompletion) return clone(finalCompletion) as ChatCompletion
    return build()
  }

  function finish(): ChatCompletion {
    if (finalCompletion) return finalCompletion
    if (failure) throw failure
    try {
      const sorted = [...choices.values()].sort((a, b) => a.index - b.index)
      if (strict) {
        const open = sorted.find((c) => c.finishReason === null)
        if (open) {
          throw new DeltafoldError('unexpected_eof', `The stream ended before choice ${open.index} sent a finish_reason (strict mode)`, {
            path: `$.choices[${open.index}].finish_reason`,
          })
        }
      }
      for (const choice of sorted) closeChoice(choice)
    } catch (error) {
      if (error instanceof DeltafoldError) {
        failure = error
        error.partial ??= build()
      }
      throw error
    }
    finished = true
    finalCompletion = build()
    if (emit) emit({ type: 'done', completion: finalCompletion })
    return finalCompletion
  }

  return {
    push,
    snapshot,
    finish,
    get chunkCount() {
      return chunkCount
    },
  }
}

function endParser(parser: PartialJSONParser, text: string): unknown {
  // A call with no arguments at all has "" arguments: parse it as {} so tools without parameters work.
  if (text === '') return {}
  return parser.end()
}

function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`limits.${name} must be a positive number, got ${String(value)}`)
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

/** Deep copy of a value the accumulator built (plain JSON data, bounded depth). */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(clone) as T
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key])
  return out as T
}
