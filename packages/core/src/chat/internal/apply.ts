/**
 * The generic path: folds one parsed chunk into the state, field by field. Every wire object it
 * walks is destructured into its known fields and a `...rest` of provider fields, which are kept.
 * The rules themselves are the primitives of `merge-rules.ts`.
 */
import { ProviderError, DeltafoldError } from '../../errors.js'
import { createPartialJSONParser } from '../../json/partial-json-parser.js'
import type { ChatCompletionChunk, ChatCompletionTokenLogprob, CompletionUsage } from '../types.js'
import { getChoice, NO_CALLS, type AccumulatorState, type ChoiceState, type ToolCallState } from './accumulator-state.js'
import { count, keep, keepExtras, mergeValue } from './budget.js'
import { KNOWN_TOP, LABEL_FIELDS, PADDING } from './field-tables.js'
import { closeChoice, stop } from './finalize.js'
import {
  appendArguments,
  appendContent,
  appendReasoning,
  appendRefusal,
  touchCall,
  makeCustom,
  setRole,
  setToolName,
  setToolType,
  toolCallDelta,
} from './merge-rules.js'
import { providerErrorMessage } from '../parse-chunk-event.js'
import { clone, describe, fail, isPlainObject, optionalString, validIndex } from './values.js'

export function pushChunk(s: AccumulatorState, chunk: ChatCompletionChunk | object): void {
  if (s.finalCompletion) throw new TypeError('push() was called after finish(): create a new accumulator for the next stream')
  if (s.failed) throw s.failure
  try {
    apply(s, chunk)
  } catch (error) {
    stop(s, error)
  }
}

/** Applies a chunk; `emitted`: the fast path counted it and emitted its `chunk` event already. */
export function apply(s: AccumulatorState, chunk: unknown, emitted?: boolean): void {
  const emit = s.emit
  const c = chunk as Record<string, unknown>
  if (!emitted) {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      throw new DeltafoldError('invalid_chunk', `Expected a chat.completion.chunk object, got ${describe(chunk)}`, { path: '$' })
    }
    s.chunkCount++
    if (emit && s.chunkEvents) emit({ type: 'chunk', chunk: chunk as ChatCompletionChunk })
  }
  checkFormat(s, c.object, '$.object')
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
    throw new ProviderError('upstream_error', providerErrorMessage(error), keep(s, error, '$.error'), { path: '$.error' })
  }
}

/**
 * A chunk of the other format is refused by name, rather than folded into an empty or wrong result
 * (test: "format: a text_completion chunk in chat mode is an unsupported_format error").
 */
export function checkFormat(s: AccumulatorState, object: unknown, path: string): void {
  if (s.completions ? object === 'chat.completion.chunk' : object === 'text_completion') {
    const [got, want] = s.completions ? ['chat.completion.chunk', "'chat'"] : ['legacy text_completion', "'completions'"]
    fail('unsupported_format', `The stream is in the ${got} format, not the one asked for: pass format: ${want} to fold it`, path)
  }
}

/**
 * Metadata from the first chunk where it is non-empty; provider extras kept, objects merged; Groq's
 * `x_groq.usage` collected as a fallback usage. Tests: "Azure filter chunks never overwrite metadata,
 * … (B5)", "an id that changes on every chunk does not split the stream; … (B6)", "unknown top-level
 * fields are kept, … (B13)", "Groq x_groq.usage is a fallback, $quirk (B4)".
 */
export function applyMetadata(s: AccumulatorState, c: Record<string, unknown>): void {
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

/** Usage replaces field by field, never summed (test: "usage replaces field by field, never summed: $quirk (B3)"). */
export function applyUsage(s: AccumulatorState, c: Record<string, unknown>): void {
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

export function nonEmptyString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') fail('invalid_type', `Expected ${path.slice(2)} to be a string, got ${describe(value)}`, path)
  return value
}

export function applyChoice(s: AccumulatorState, raw: unknown, path: string): void {
  if (!isPlainObject(raw)) fail('invalid_type', `Expected a choice object at ${path}, got ${describe(raw)}`, path)
  if (s.completions) return applyTextChoice(s, raw, path)
  const { index: rawIndex, delta, finish_reason: finishReason, logprobs, ...rest } = raw
  // A legacy text_completion choice without the object field (some servers omit it).
  if (delta === undefined && typeof rest.text === 'string') checkFormat(s, 'text_completion', `${path}.text`)
  const choice = getChoice(s, choiceIndex(s, rawIndex, path))
  // Provider fields of the choice (Azure content_filter_results, OpenRouter native_finish_reason).
  choice.choiceExtras = keepExtras(s, rest, choice.choiceExtras, path)
  // A choice without a delta (Azure's async filter results) changes only metadata.
  if (delta !== undefined && delta !== null) {
    if (!isPlainObject(delta)) fail('invalid_type', `Expected a delta object at ${path}.delta, got ${describe(delta)}`, `${path}.delta`)
    applyDelta(s, choice, delta, `${path}.delta`)
  }
  if (logprobs !== undefined && logprobs !== null) applyLogprobs(s, choice, logprobs, `${path}.logprobs`)
  applyFinishReason(s, choice, finishReason, path)
}

/** The index of a wire choice: 0 when absent (an error in strict mode). */
export function choiceIndex(s: AccumulatorState, rawIndex: unknown, path: string): number {
  if (rawIndex === undefined || rawIndex === null) {
    if (s.strict) fail('invalid_index', `Missing choice index at ${path}.index (strict mode)`, `${path}.index`)
    return 0
  }
  return validIndex(rawIndex, s.maxChoices, 'choice', `${path}.index`)
}

/**
 * A legacy `text_completion` choice (format 'completions'): `text` appended as content, the
 * logprobs lists appended, finish_reason as for chat (test: "format 'completions': folds
 * text_completion chunks into a text_completion").
 */
export function applyTextChoice(s: AccumulatorState, raw: Record<string, unknown>, path: string): void {
  const { index: rawIndex, text, logprobs, finish_reason: finishReason, ...rest } = raw
  if (rest.delta !== undefined) checkFormat(s, 'chat.completion.chunk', `${path}.delta`)
  const choice = getChoice(s, choiceIndex(s, rawIndex, path))
  choice.choiceExtras = keepExtras(s, rest, choice.choiceExtras, path)
  const t = optionalString(text, `${path}.text`)
  if (t !== undefined) appendContent(s, choice, t, `${path}.text`)
  if (logprobs !== undefined && logprobs !== null) {
    if (!isPlainObject(logprobs)) fail('invalid_type', `Expected logprobs to be an object, got ${describe(logprobs)}`, `${path}.logprobs`)
    const { tokens, token_logprobs: tokenLogprobs, top_logprobs: topLogprobs, text_offset: textOffset, ...lpRest } = logprobs
    const lp = (choice.textLogprobs ??= { tokens: [], tokenLogprobs: [], topLogprobs: [], textOffset: [], extras: undefined })
    appendList(s, lp.tokens, tokens, `${path}.logprobs.tokens`)
    appendList(s, lp.tokenLogprobs, tokenLogprobs, `${path}.logprobs.token_logprobs`)
    appendList(s, lp.topLogprobs, topLogprobs, `${path}.logprobs.top_logprobs`)
    appendList(s, lp.textOffset, textOffset, `${path}.logprobs.text_offset`)
    lp.extras = keepExtras(s, lpRest, lp.extras, `${path}.logprobs`)
  }
  applyFinishReason(s, choice, finishReason, path)
}

/** Appends the kept entries of a wire array to `target` (null and absent: nothing). */
export function appendList(s: AccumulatorState, target: unknown[], list: unknown, path: string): void {
  if (list === undefined || list === null) return
  if (!Array.isArray(list))
    fail('invalid_type', `Expected ${path.slice(path.lastIndexOf('.') + 1)} to be an array, got ${describe(list)}`, path)
  for (let i = 0; i < list.length; i++) target.push(keep(s, list[i], `${path}[${i}]`) ?? null)
}

/**
 * The delta of the same chunk is applied first; the last non-null finish_reason wins (tests:
 * "finish_reason $quirk (B10)", "a tool call in the same chunk as finish_reason "tool_calls" is
 * applied first (D9)").
 */
export function applyFinishReason(s: AccumulatorState, choice: ChoiceState, finishReason: unknown, path: string): void {
  const emit = s.emit
  const index = choice.index
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

export function applyDelta(s: AccumulatorState, choice: ChoiceState, delta: Record<string, unknown>, path: string): void {
  const {
    role,
    content,
    refusal,
    reasoning_content: reasoningContent,
    reasoning,
    reasoning_details: reasoningDetails,
    tool_calls: toolCalls,
    function_call: functionCall,
    audio,
    annotations,
    ...rest
  } = delta
  if (role !== undefined && role !== null && role !== '') {
    if (typeof role !== 'string') fail('invalid_type', `Expected role to be a string, got ${describe(role)}`, `${path}.role`)
    setRole(s, choice, role, `${path}.role`)
  }
  if (content !== undefined && content !== null) {
    if (typeof content === 'string') appendContent(s, choice, content, `${path}.content`)
    else if (Array.isArray(content)) applyContentParts(s, choice, content, `${path}.content`)
    else fail('invalid_type', `Expected content to be a string or an array of parts, got ${describe(content)}`, `${path}.content`)
  }
  if (refusal !== undefined && refusal !== null) {
    if (typeof refusal !== 'string') fail('invalid_type', `Expected refusal to be a string, got ${describe(refusal)}`, `${path}.refusal`)
    appendRefusal(s, choice, refusal, `${path}.refusal`)
  }
  const rc = optionalString(reasoningContent, `${path}.reasoning_content`)
  const r = optionalString(reasoning, `${path}.reasoning`)
  // Each field from its own fragments. A fragment that mirrors the other field's fragment of the
  // same delta is appended to its field silently: one reasoning.delta stands for both (tests:
  // "reasoning: the same text mirrored in both fields…", "…different texts stay apart").
  if (rc !== undefined) appendReasoning(s, choice, rc, 'reasoning_content', `${path}.reasoning_content`, false)
  if (r !== undefined) appendReasoning(s, choice, r, 'reasoning', `${path}.reasoning`, r === rc)
  if (reasoningDetails !== undefined && reasoningDetails !== null) {
    applyReasoningDetails(s, choice, reasoningDetails, `${path}.reasoning_details`, rc, r)
  }
  if (audio !== undefined && audio !== null) applyAudio(s, choice, audio, `${path}.audio`)
  if (annotations !== undefined && annotations !== null) {
    // Appended in order, never replaced (test: "annotations: entries of every delta are appended in order").
    if (!Array.isArray(annotations))
      fail('invalid_type', `Expected annotations to be an array, got ${describe(annotations)}`, `${path}.annotations`)
    appendList(s, (choice.annotations ??= []), annotations, `${path}.annotations`)
  }
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls))
      fail('invalid_type', `Expected tool_calls to be an array, got ${describe(toolCalls)}`, `${path}.tool_calls`)
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

/**
 * OpenAI audio output: `transcript` and `data` arrive in fragments and are appended; `id` and
 * `expires_at` are set (the latest non-empty value). Other fields are kept.
 * Test: "audio: transcript and data fragments are appended, id and expires_at set".
 */
export function applyAudio(s: AccumulatorState, choice: ChoiceState, raw: unknown, path: string): void {
  if (!isPlainObject(raw)) fail('invalid_type', `Expected audio to be an object, got ${describe(raw)}`, path)
  const { id, data, transcript, expires_at: expiresAt, ...rest } = raw
  const audio = (choice.audio ??= { id: undefined, data: '', transcript: '', expiresAt: undefined, extras: undefined })
  const i = optionalString(id, `${path}.id`)
  if (i !== undefined && i !== '') {
    count(s, i.length, `${path}.id`)
    audio.id = i
  }
  const d = optionalString(data, `${path}.data`)
  if (d !== undefined) {
    count(s, d.length, `${path}.data`)
    audio.data += d
  }
  const t = optionalString(transcript, `${path}.transcript`)
  if (t !== undefined) {
    count(s, t.length, `${path}.transcript`)
    audio.transcript += t
  }
  if (expiresAt !== undefined && expiresAt !== null) {
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      fail('invalid_type', `Expected expires_at to be a finite number, got ${describe(expiresAt)}`, `${path}.expires_at`)
    }
    count(s, 8, `${path}.expires_at`)
    audio.expiresAt = expiresAt
  }
  audio.extras = keepExtras(s, rest, audio.extras, path)
  choice.closed = false
}

/** Mistral's content parts: text to content, thinking to reasoning, other parts kept (tests: B9). */
export function applyContentParts(s: AccumulatorState, choice: ChoiceState, parts: unknown[], path: string): void {
  if (s.strict) fail('invalid_type', `Expected content to be a string, got an array of parts at ${path} (strict mode)`, path)
  // Mistral thinking: text parts are content, thinking parts are reasoning.
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    const partPath = `${path}[${i}]`
    if (isPlainObject(part) && part.type === 'text' && typeof part.text === 'string') {
      appendContent(s, choice, part.text, `${partPath}.text`)
    } else if (isPlainObject(part) && part.type === 'thinking') {
      const thinking = part.thinking
      if (typeof thinking === 'string') appendReasoning(s, choice, thinking, 'content', `${partPath}.thinking`, false)
      else if (Array.isArray(thinking)) {
        for (let j = 0; j < thinking.length; j++) {
          const t = thinking[j]
          if (isPlainObject(t) && typeof t.text === 'string')
            appendReasoning(s, choice, t.text, 'content', `${partPath}.thinking[${j}].text`, false)
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

/**
 * OpenRouter's `reasoning_details`, merged by `(type, index)`: text fragments appended, other
 * fields set. A non-empty text fragment emits `reasoning.delta` with field `reasoning_details`,
 * unless it mirrors the delta's `reasoning_content` or `reasoning` fragment (OpenRouter sends both).
 * Tests: "OpenRouter reasoning_details merge by (type, index); … (C3)", "reasoning: reasoning_details
 * text alone emits reasoning.delta events of its own field".
 */
export function applyReasoningDetails(
  s: AccumulatorState,
  choice: ChoiceState,
  details: unknown,
  path: string,
  rc: string | undefined,
  r: string | undefined,
): void {
  const emit = s.emit
  if (!Array.isArray(details)) fail('invalid_type', `Expected reasoning_details to be an array, got ${describe(details)}`, path)
  choice.reasoningDetails ??= new Map()
  for (let i = 0; i < details.length; i++) {
    const detail = keep(s, details[i], `${path}[${i}]`)
    if (!isPlainObject(detail)) continue
    const text = detail.text
    if (typeof text === 'string' && text !== '') {
      choice.closed = false
      if (emit && text !== rc && text !== r) emit({ type: 'reasoning.delta', index: choice.index, delta: text, field: 'reasoning_details' })
    }
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

/**
 * A tool-call fragment (function or custom): matched by id, then index, then the most recent call;
 * the rules themselves are merge primitives. Tests: "tool calls without index: $quirk (D1)",
 * "different ids sharing index 0 are separate calls, … (D2)", "$quirk: id and type set once, … (D3)",
 * "tool-call indexes $quirk are keys: … (D7)", "custom tool calls: …".
 */
export function applyToolCall(s: AccumulatorState, choice: ChoiceState, raw: unknown, path: string): void {
  if (!isPlainObject(raw)) fail('invalid_type', `Expected a tool call object at ${path}, got ${describe(raw)}`, path)
  const { index: rawIndex, id: rawId, type, function: fn, custom, ...rest } = raw
  let index: number | undefined
  if (rawIndex !== undefined && rawIndex !== null) index = validIndex(rawIndex, s.maxToolCalls, 'tool call', `${path}.index`)
  else if (s.strict) fail('invalid_index', `Missing tool call index at ${path}.index (strict mode)`, `${path}.index`)
  let callId: string | undefined
  if (typeof rawId === 'string') callId = rawId === '' ? undefined : rawId
  else if (typeof rawId === 'number' && Number.isFinite(rawId) && !s.strict) callId = String(rawId)
  else if (rawId !== undefined && rawId !== null)
    fail('invalid_type', `Expected tool call id to be a string, got ${describe(rawId)}`, `${path}.id`)
  if (type !== undefined && type !== null && typeof type !== 'string') {
    fail('invalid_type', `Expected tool call type to be a string, got ${describe(type)}`, `${path}.type`)
  }
  if (fn !== undefined && fn !== null && !isPlainObject(fn))
    fail('invalid_type', `Expected function to be an object, got ${describe(fn)}`, `${path}.function`)
  if (custom !== undefined && custom !== null && !isPlainObject(custom))
    fail('invalid_type', `Expected custom to be an object, got ${describe(custom)}`, `${path}.custom`)

  // Target: a known id, then the index (a new id at a taken index starts a new call: Gemini shares
  // index 0), then (no index) a new id starts a new call, else the most recent call continues.
  const toolById = (choice.toolById ??= new Map())
  const toolByIndex = (choice.toolByIndex ??= new Map())
  let call: ToolCallState | undefined = callId === undefined ? undefined : toolById.get(callId)
  if (!call && index !== undefined) {
    const atIndex = toolByIndex.get(index)
    if (atIndex && callId !== undefined && atIndex.id !== '' && atIndex.id !== callId) {
      if (s.strict) {
        fail(
          'index_conflict',
          `Tool call index ${index} reused by id "${callId}" while it holds id "${atIndex.id}" (strict mode)`,
          `${path}.index`,
        )
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
      custom: false,
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
  touchCall(choice, call)
  if (index !== undefined) toolByIndex.set(index, call)
  else if (!toolByIndex.has(call.index)) toolByIndex.set(call.index, call)
  if (callId !== undefined) {
    toolById.set(callId, call)
    // id and type: the first non-empty value; repeats (Kimi, Qwen) and later ids are ignored.
    if (call.id === '') {
      count(s, callId.length, `${path}.id`)
      call.id = callId
    }
  }
  if (typeof type === 'string') setToolType(s, call, type, `${path}.type`)
  let argsDelta: string | undefined
  if (isPlainObject(custom)) {
    // A custom tool call streams like a function call: custom.name set, custom.input appended.
    if (!call.custom) makeCustom(call)
    const { name, input, ...customRest } = custom
    setToolName(s, call, name, `${path}.custom.name`)
    const text = optionalString(input, `${path}.custom.input`)
    if (text !== undefined) argsDelta = appendArguments(s, call, text, `${path}.custom.input`)
    call.functionExtras = keepExtras(s, customRest, call.functionExtras, `${path}.custom`)
  }
  if (isPlainObject(fn)) {
    const { name, arguments: args, ...fnRest } = fn
    setToolName(s, call, name, `${path}.function.name`)
    if (args !== undefined && args !== null) {
      if (typeof args === 'string') {
        const appended = appendArguments(s, call, args, `${path}.function.arguments`)
        if (appended !== undefined) argsDelta = argsDelta === undefined ? appended : argsDelta + appended
      } else if (typeof args === 'object') {
        if (s.strict)
          fail(
            'invalid_type',
            `Expected function arguments to be a string, got ${describe(args)} (strict mode)`,
            `${path}.function.arguments`,
          )
        // llama.cpp and TGI send whole objects: they replace what was accumulated.
        const text = JSON.stringify(keep(s, args, `${path}.function.arguments`))
        call.args = text
        if (s.parseArguments && !call.custom) {
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

/** The legacy function_call (test: "the legacy function_call accumulates like a tool call (name set, arguments appended)"). */
export function applyFunctionCall(s: AccumulatorState, choice: ChoiceState, fn: unknown, path: string): void {
  if (!isPlainObject(fn)) fail('invalid_type', `Expected function_call to be an object, got ${describe(fn)}`, path)
  const { name: rawName, arguments: rawArgs, ...rest } = fn
  const name = optionalString(rawName, `${path}.name`)
  const args = optionalString(rawArgs, `${path}.arguments`)
  choice.functionCall ??= { name: '', arguments: '', extras: undefined }
  // Provider fields (a `thought` beside the name) are kept (test: "unknown fields of function_call are kept").
  choice.functionCall.extras = keepExtras(s, rest, choice.functionCall.extras, path)
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

/** Logprobs entries appended per list (test: "logprobs: $quirk (B12)"). */
export function applyLogprobs(s: AccumulatorState, choice: ChoiceState, raw: unknown, path: string): void {
  const emit = s.emit
  if (!isPlainObject(raw)) fail('invalid_type', `Expected logprobs to be an object, got ${describe(raw)}`, path)
  const { content, refusal, ...rest } = raw
  choice.logprobs ??= { content: null, refusal: null, extras: undefined }
  // Provider fields beside the lists are kept (test: "unknown fields of logprobs are kept").
  choice.logprobs.extras = keepExtras(s, rest, choice.logprobs.extras, path)
  for (const field of ['content', 'refusal'] as const) {
    const list = field === 'content' ? content : refusal
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
