import type { ChatChunkTranslator, TranslatorPosition } from '../chat/chat-chunk-translator.js'
import type { ChatCompletionChunk, ChatCompletionChunkDelta } from '../chat/types.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import type { ServerSentEvent } from '../sse/sse-decoder.js'
import { parseResponseEvent } from './internal/parse-response-event.js'
import { isRecord } from './internal/wire-value.js'
import { chatUsageOf, finishReasonOf, REASONING_SEPARATOR } from './response-to-chat-completion.js'
import type { Response } from './types.js'

/** Options of {@link createResponseChatChunkTranslator}. */
export interface ResponseChatChunkTranslatorOptions {
  /** Output items; an `output_index` must be below it. @defaultValue 4096 */
  maxOutputItems?: number
  /** Parts of one item; a `content_index` or `summary_index` must be below it. @defaultValue 4096 */
  maxParts?: number
}

/** What the translator remembers of one output item: lengths of what it emitted, never the text. */
interface ItemState {
  type: string
  /** Chat tool-call index of a function or custom tool call. */
  toolIndex: number
  /** UTF-16 length of the arguments emitted (function calls). */
  argsLength: number
  /** A custom tool call was emitted (whole, once its input is complete). */
  emitted: boolean
  /** FNV-1a hash of the arguments emitted, to tell an extension from a disagreement. */
  argsHash: number
  /** What was emitted per part, keyed `c<content_index>` / `s<summary_index>`: its length and hash. */
  parts: Map<string, Sent>
}

/** Length and FNV-1a hash of the text emitted for one part: O(1) memory whatever the text. */
interface Sent {
  length: number
  hash: number
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** Continues a 32-bit FNV-1a hash over the UTF-16 code units of `text`. */
function fnv(hash: number, text: string, end = text.length): number {
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME)
  return hash
}

/**
 * Translates an OpenAI Responses API stream into the `chat.completion.chunk` stream a gateway would
 * serve, as it arrives: text deltas → `content`, refusal deltas → `refusal`, reasoning summary and
 * reasoning text deltas → `reasoning_content` (parts separated by a blank line), function calls →
 * `tool_calls` (`id` = `call_id`, name first, then each arguments fragment as it streams), custom tool
 * calls → one `{ type: 'custom', custom: { name, input } }` tool call when complete, then on the
 * terminal event the `finish_reason` and a usage chunk. Text the terminal response holds beyond what
 * streamed is emitted before the finish, so folding the chunks (`createChatCompletionAccumulator`)
 * gives exactly {@link responseToChatCompletion} of the final response. Remembers only lengths per
 * item, not the text.
 *
 * @param options - index limits
 * @example
 * ```ts
 * import { createResponseChatChunkTranslator, createSSEDecoder, createChatCompletionAccumulator } from '@deltafold/core'
 * const translator = createResponseChatChunkTranslator()
 * const acc = createChatCompletionAccumulator()
 * const decoder = createSSEDecoder({ onEvent: (e) => { for (const c of translator.push(e, { eventNumber: decoder.eventCount })) acc.push(c) } })
 * decoder.feed('data: {"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","call_id":"call_1","name":"get","arguments":""}}\n\n')
 * decoder.feed('data: {"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc_1","delta":"{}"}\n\n')
 * decoder.feed('data: {"type":"response.completed","response":{"id":"resp_1","created_at":1,"model":"m","status":"completed","output":[]}}\n\n')
 * decoder.end()
 * for (const c of translator.end()) acc.push(c)
 * acc.finish().choices[0] // { message: { tool_calls: [{ id: 'call_1', function: { name: 'get', arguments: '{}' } … }] }, finish_reason: 'tool_calls' … }
 * ```
 */
export function createResponseChatChunkTranslator(options: ResponseChatChunkTranslatorOptions = {}): ChatChunkTranslator {
  const maxOutputItems = options.maxOutputItems ?? 4096
  const maxParts = options.maxParts ?? 4096
  let id = ''
  let model = ''
  let created = 0
  let serviceTier: string | undefined
  // The assistant role went out (in the first chunk that carries anything).
  let roleSent = false
  // Some reasoning text went out: the next reasoning part starts with REASONING_SEPARATOR.
  let reasoningSent = false
  let toolCount = 0
  const items = new Map<number, ItemState>()
  // The terminal event or `[DONE]` arrived: later events are ignored.
  let finished = false
  // A terminal event arrived (end() then has nothing to report).
  let terminated = false
  let at: TranslatorPosition = { eventNumber: 0 }
  let out: ChatCompletionChunk[] = []

  function fail(code: 'invalid_index' | 'invalid_type' | 'unexpected_event', message: string, path: string): never {
    throw new DeltafoldError(code, `${message} (event ${at.eventNumber})`, { ...at, path })
  }

  function index(event: Record<string, unknown>, field: string, max: number): number {
    const value = event[field]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value >= max) {
      fail(
        'invalid_index',
        `"${field}" must be a non-negative integer below ${max}, got ${JSON.stringify(value) ?? 'undefined'}`,
        `$.${field}`,
      )
    }
    return value
  }

  function itemOf(event: Record<string, unknown>): ItemState {
    const i = index(event, 'output_index', maxOutputItems)
    const state = items.get(i)
    if (state === undefined) fail('unexpected_event', `Output item ${i} was never added`, '$.output_index')
    return state
  }

  function text(event: Record<string, unknown>, field: string): string {
    const value = event[field]
    if (typeof value !== 'string') fail('invalid_type', `"${field}" must be a string`, `$.${field}`)
    return value
  }

  function emit(delta: ChatCompletionChunkDelta, finishReason: ChatCompletionChunk['choices'][number]['finish_reason'] = null): void {
    if (!roleSent) {
      roleSent = true
      delta = { role: 'assistant', ...delta }
    }
    const chunk: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    }
    if (serviceTier !== undefined) chunk.service_tier = serviceTier as NonNullable<ChatCompletionChunk['service_tier']>
    out.push(chunk)
  }

  function meta(response: unknown): void {
    if (!isRecord(response)) return
    if (id === '' && typeof response.id === 'string') id = response.id
    if (model === '' && typeof response.model === 'string') model = response.model
    if (created === 0 && typeof response.created_at === 'number') created = response.created_at
  }

  /**
   * Emits a delta of part `key` of `state` (text, refusal or reasoning), or, for a complete text
   * (`isDelta` false: from `output_item.done` or the terminal response), what it holds beyond what
   * streamed. A complete text that does not extend what streamed (deltas and `.done` disagree: one
   * hand-edited recording does this) adds nothing: emitted text cannot be taken back.
   */
  function part(state: ItemState, key: string, kind: 'content' | 'refusal' | 'reasoning', full: string, isDelta: boolean): void {
    let sent = state.parts.get(key)
    if (sent === undefined) {
      sent = { length: 0, hash: FNV_OFFSET }
      state.parts.set(key, sent)
    }
    const before = sent.length
    let piece: string
    if (isDelta) piece = full
    else if (full.length > before && fnv(FNV_OFFSET, full, before) === sent.hash) piece = full.slice(before)
    else return
    if (piece === '') return
    sent.length += piece.length
    sent.hash = fnv(sent.hash, piece)
    const sentBefore = before
    if (kind === 'content') emit({ content: piece })
    else if (kind === 'refusal') emit({ refusal: piece })
    else {
      const separated = sentBefore === 0 && reasoningSent ? REASONING_SEPARATOR + piece : piece
      reasoningSent = true
      emit({ reasoning_content: separated } as ChatCompletionChunkDelta)
    }
  }

  function addItem(i: number, item: Record<string, unknown>): ItemState {
    const type = typeof item.type === 'string' ? item.type : ''
    const state: ItemState = { type, toolIndex: -1, argsLength: 0, argsHash: FNV_OFFSET, emitted: false, parts: new Map() }
    items.set(i, state)
    if (type === 'function_call') {
      state.toolIndex = toolCount++
      const args = typeof item.arguments === 'string' ? item.arguments : ''
      state.argsLength = args.length
      state.argsHash = fnv(FNV_OFFSET, args)
      emit({
        tool_calls: [
          { index: state.toolIndex, id: str(item.call_id), type: 'function', function: { name: str(item.name), arguments: args } },
        ],
      })
    } else if (type === 'custom_tool_call') {
      state.toolIndex = toolCount++
    }
    return state
  }

  function customCall(state: ItemState, item: Record<string, unknown>): void {
    if (state.emitted) return
    state.emitted = true
    const call = { index: state.toolIndex, id: str(item.call_id), type: 'custom', custom: { name: str(item.name), input: str(item.input) } }
    emit({ tool_calls: [call as never] })
  }

  /** Emits whatever an item holds beyond what streamed (from `output_item.done` or the terminal response). */
  function reconcile(i: number, item: Record<string, unknown>): void {
    const state = items.get(i) ?? addItem(i, item)
    switch (item.type) {
      case 'message': {
        const content = Array.isArray(item.content) ? item.content : []
        for (let j = 0; j < content.length; j++) {
          const p = content[j]
          if (!isRecord(p)) continue
          if (p.type === 'output_text' && typeof p.text === 'string') part(state, `c${j}`, 'content', p.text, false)
          else if (p.type === 'refusal' && typeof p.refusal === 'string') part(state, `c${j}`, 'refusal', p.refusal, false)
        }
        break
      }
      case 'reasoning': {
        const summary = Array.isArray(item.summary) ? item.summary : []
        for (let j = 0; j < summary.length; j++) {
          const p = summary[j]
          if (isRecord(p) && typeof p.text === 'string') part(state, `s${j}`, 'reasoning', p.text, false)
        }
        const content = Array.isArray(item.content) ? item.content : []
        for (let j = 0; j < content.length; j++) {
          const p = content[j]
          if (isRecord(p) && typeof p.text === 'string') part(state, `c${j}`, 'reasoning', p.text, false)
        }
        break
      }
      case 'function_call': {
        const args = str(item.arguments)
        if (state.toolIndex >= 0 && args.length > state.argsLength && fnv(FNV_OFFSET, args, state.argsLength) === state.argsHash) {
          const rest = args.slice(state.argsLength)
          emit({ tool_calls: [{ index: state.toolIndex, function: { arguments: rest } }] })
          state.argsLength = args.length
          state.argsHash = fnv(state.argsHash, rest)
        }
        break
      }
      case 'custom_tool_call':
        if (state.toolIndex >= 0) customCall(state, item)
        break
    }
  }

  function terminal(event: Record<string, unknown>, type: string): void {
    const response = event.response
    if (!isRecord(response)) fail('invalid_type', '"response" must be an object', '$.response')
    meta(response)
    // The service tier the terminal response names (created often says "auto", the final one the tier
    // used): only the finish and usage chunks carry it, so a chat fold keeps that one.
    if (typeof response.service_tier === 'string') serviceTier = response.service_tier
    if (type === 'response.failed') {
      const error = response.error
      const message = isRecord(error) && typeof error.message === 'string' ? error.message : 'the response failed'
      throw new ProviderError(
        'upstream_error',
        `The provider failed the response (response.failed, event ${at.eventNumber}): ${message}`,
        error ?? response,
        {
          ...at,
          path: '$.response.error',
        },
      )
    }
    const output = Array.isArray(response.output) ? response.output : []
    for (let i = 0; i < output.length && i < maxOutputItems; i++)
      if (isRecord(output[i])) reconcile(i, output[i] as Record<string, unknown>)
    let calledTools = false
    for (const state of items.values()) if (state.toolIndex >= 0) calledTools = true
    emit({}, finishReasonOf(response as unknown as Response, calledTools))
    if (isRecord(response.usage)) {
      const chunk: ChatCompletionChunk = {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [],
        usage: chatUsageOf(response.usage),
      }
      if (serviceTier !== undefined) chunk.service_tier = serviceTier as NonNullable<ChatCompletionChunk['service_tier']>
      out.push(chunk)
    }
    finished = true
    terminated = true
  }

  function handle(event: Record<string, unknown>): void {
    const type = event.type
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        meta(event.response)
        break
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal(event, type)
        break
      case 'error': {
        const error = isRecord(event.error) ? event.error : event
        const message = typeof error.message === 'string' ? error.message : 'unknown error'
        throw new ProviderError('upstream_error', `The provider sent an error event (event ${at.eventNumber}): ${message}`, error, {
          ...at,
        })
      }
      case 'response.output_item.added': {
        const i = index(event, 'output_index', maxOutputItems)
        if (!isRecord(event.item)) fail('invalid_type', '"item" must be an object', '$.item')
        if (items.has(i)) fail('unexpected_event', `Output item ${i} was already added`, '$.output_index')
        addItem(i, event.item)
        break
      }
      case 'response.output_item.done': {
        const i = index(event, 'output_index', maxOutputItems)
        if (!isRecord(event.item)) fail('invalid_type', '"item" must be an object', '$.item')
        reconcile(i, event.item)
        break
      }
      case 'response.output_text.delta':
        part(itemOf(event), `c${index(event, 'content_index', maxParts)}`, 'content', text(event, 'delta'), true)
        break
      case 'response.refusal.delta':
        part(itemOf(event), `c${index(event, 'content_index', maxParts)}`, 'refusal', text(event, 'delta'), true)
        break
      case 'response.reasoning_summary_text.delta':
        part(itemOf(event), `s${index(event, 'summary_index', maxParts)}`, 'reasoning', text(event, 'delta'), true)
        break
      case 'response.reasoning_text.delta':
        part(itemOf(event), `c${index(event, 'content_index', maxParts)}`, 'reasoning', text(event, 'delta'), true)
        break
      case 'response.function_call_arguments.delta': {
        const state = itemOf(event)
        const delta = text(event, 'delta')
        if (state.type !== 'function_call')
          fail('unexpected_event', `Output item ${String(event.output_index)} is not a function call`, '$.output_index')
        if (delta === '') break
        state.argsLength += delta.length
        state.argsHash = fnv(state.argsHash, delta)
        emit({ tool_calls: [{ index: state.toolIndex, function: { arguments: delta } }] })
        break
      }
      default:
      // Everything else (server tool progress, part boundaries, annotations) has no chat equivalent.
    }
  }

  return {
    push(sse: ServerSentEvent, position: TranslatorPosition) {
      if (finished) return []
      at = position
      const parsed = parseResponseEvent(sse, position)
      if (parsed.kind === 'done') {
        finished = true
        return []
      }
      if (parsed.kind === 'skip') return []
      out = []
      handle(parsed.event)
      return out
    },
    end() {
      if (!terminated) {
        throw new DeltafoldError(
          'unexpected_eof',
          'The Responses stream ended without response.completed, response.incomplete or response.failed',
          {
            eventNumber: at.eventNumber,
          },
        )
      }
      return []
    },
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
