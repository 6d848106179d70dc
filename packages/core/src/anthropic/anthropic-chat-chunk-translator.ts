import type { ChatChunkTranslator, TranslatorPosition } from '../chat/chat-chunk-translator.js'
import type { ChatCompletionChunk, ChatCompletionChunkDelta, ChatCompletionFinishReason } from '../chat/types.js'
import { DeltafoldError, type DeltafoldErrorCode } from '../errors.js'
import type { ServerSentEvent } from '../sse/sse-decoder.js'
import { chatFinishReason, chatUsage, REASONING_FORMAT } from './internal/chat-mapping.js'
import { describe, isPlainObject } from './internal/json-values.js'
import { located, providerError, readAnthropicEvent } from './internal/read-event.js'

/** Options of {@link createAnthropicChatChunkTranslator}. */
export interface AnthropicChatChunkTranslatorOptions {
  /** The chunks' `created` (Unix seconds); Anthropic messages carry no timestamp. @defaultValue the time of `message_start` */
  created?: number
  /** Most content blocks per message; a block `index` must be below it. @defaultValue 1024 */
  maxBlocks?: number
}

// Block kinds: which chat field a block's deltas feed.
const TEXT = 0
const THINKING = 1
const TOOL = 2
const SERVER_TOOL = 3
const OTHER = 4

interface Block {
  kind: number
  /** The tool call's index in `tool_calls` (tool_use blocks only). */
  call: number
  /** A non-empty arguments fragment was sent for the call. */
  sentArguments: boolean
  /** The `input` the block started with: the arguments when no fragment arrives. */
  input: unknown
  stopped: boolean
}

/**
 * Creates the translator that turns the SSE events of an Anthropic Messages stream into
 * `chat.completion.chunk`s as they arrive, so that the chat fold, the normalize stream and the adapters
 * serve Anthropic upstreams; folded, the chunks give {@link anthropicMessageToChatCompletion} of the
 * final message (tool arguments as the model's JSON text rather than re-serialized). It keeps only a
 * few fields per content block (no text), so it costs about what decoding the events does.
 *
 * Mapping: a first chunk with `role: 'assistant'` before the first chunk with content (`id`, `model` and
 * `created` from `message_start` on every chunk; a `fallback` block relabels the model, as the SDK does); `text_delta` → `content`; `thinking_delta` → `reasoning_content` plus a `reasoning_details`
 * fragment `{ type: 'reasoning.text', text, index, format: 'anthropic-claude-v1' }`, `signature_delta`
 * → the same entry's `signature` (chat has no other place for it; it round-trips through
 * `reasoning_details`), `redacted_thinking` → a `reasoning.encrypted` entry with its `data`;
 * `tool_use` → a tool call (`id` = tool_use id, `function.name`) whose `arguments` fragments are the
 * `input_json_delta` fragments (a call that got none gets its start `input` as JSON, `{}` at least, at
 * its stop); server tools, MCP tools, their results, citations, compaction and fallback blocks emit
 * nothing; `message_delta.stop_reason` → `finish_reason` (see {@link anthropicMessageToChatCompletion});
 * `message_stop` → a last chunk with the merged usage. `ping` emits nothing; `event: error` throws a
 * `ProviderError`; a second message starting while one is open throws `unexpected_event` (a repeat of
 * the open message's `message_start` is ignored); `end()` throws `unexpected_eof` when `message_stop`
 * never came. Events after `message_stop` are ignored.
 *
 * @param options - `created`, `maxBlocks`
 * @example
 * ```ts
 * import { createAnthropicChatChunkTranslator } from '@deltafold/core'
 * const translator = createAnthropicChatChunkTranslator({ created: 1700000000 })
 * translator.push({ type: 'message', lastEventId: '', data: '{"type":"message_start","message":{"id":"msg_1","model":"claude-x","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}' }, { eventNumber: 1 })
 * // [] (the role chunk waits for the first content)
 * translator.push({ type: 'message', lastEventId: '', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}' }, { eventNumber: 2 })
 * // [{ id: 'msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'claude-x', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] },
 * //  { …, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }]
 * ```
 */
export function createAnthropicChatChunkTranslator(options: AnthropicChatChunkTranslatorOptions = {}): ChatChunkTranslator {
  const maxBlocks = options.maxBlocks ?? 1024
  if (typeof maxBlocks !== 'number' || !(maxBlocks > 0)) {
    throw new TypeError(`maxBlocks must be a positive number, got ${describe(maxBlocks)}: leave it out for the default of 1024`)
  }
  // Set by message_start; `started` stays true after message_stop.
  let started = false
  // The role chunk was sent. It waits for the first chunk with content, so that a fallback block
  // (which names the model that served the message) relabels every chunk, as the SDK relabels the message.
  let announced = false
  let stopped = false
  let id = ''
  let model = ''
  let created = 0
  const blocks: Block[] = []
  let calls = 0
  // The message's usage: message_start's, overwritten field by field by message_delta's.
  let usage: Record<string, unknown> = {}
  // The stop reason of message_start (a message replayed whole has one there) until a finish_reason is sent.
  let pendingStop: unknown = null
  let finished = false

  function chunk(
    delta: ChatCompletionChunkDelta & Record<string, unknown>,
    finishReason: ChatCompletionFinishReason | null = null,
  ): ChatCompletionChunk {
    return { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] }
  }

  function push(event: ServerSentEvent, position: TranslatorPosition): readonly ChatCompletionChunk[] {
    if (stopped) return NONE
    let chunks: readonly ChatCompletionChunk[]
    try {
      const data = readAnthropicEvent(event)
      if (data === undefined) return NONE
      chunks = apply(data)
    } catch (error) {
      throw located(error, position, event.data)
    }
    if (announced || chunks.length === 0) return chunks
    announced = true
    return [chunk({ role: 'assistant' }), ...chunks]
  }

  function apply(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    const type = data.type
    if (type === 'ping') return NONE
    if (type === 'error') throw providerError(data.error)
    if (type === 'message_start') return messageStart(data)
    if (typeof type !== 'string') fail('invalid_type', `Expected the event type to be a string, got ${describe(type)}`, '$.type')
    if (
      type !== 'content_block_start' &&
      type !== 'content_block_delta' &&
      type !== 'content_block_stop' &&
      type !== 'message_delta' &&
      type !== 'message_stop'
    ) {
      return NONE
    }
    if (!started) fail('unexpected_event', `A "${type}" event arrived before "message_start"`, '$.type')
    switch (type) {
      case 'content_block_start':
        return blockStart(data)
      case 'content_block_delta':
        return blockDelta(data)
      case 'content_block_stop':
        return blockStop(data)
      case 'message_delta':
        return messageDelta(data)
      default:
        return messageStop()
    }
  }

  function messageStart(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    const message = data.message
    if (!isPlainObject(message))
      fail('invalid_type', `Expected message_start.message to be an object, got ${describe(message)}`, '$.message')
    if (typeof message.id !== 'string')
      fail('invalid_type', `Expected the message id to be a string, got ${describe(message.id)}`, '$.message.id')
    if (started) {
      if (message.id === id) return NONE
      fail('unexpected_event', `Message "${message.id}" started while message "${id}" was open`, '$.message.id')
    }
    started = true
    id = message.id
    model = typeof message.model === 'string' ? message.model : ''
    created = options.created ?? Math.floor(Date.now() / 1000)
    if (isPlainObject(message.usage)) mergeUsage(message.usage)
    pendingStop = message.stop_reason
    const out: ChatCompletionChunk[] = []
    const content = message.content
    if (Array.isArray(content)) for (let i = 0; i < content.length; i++) out.push(...addBlock(content[i], i, `$.message.content[${i}]`))
    return out
  }

  function addBlock(raw: unknown, index: number, path: string): ChatCompletionChunk[] {
    if (index >= maxBlocks) fail('limit_exceeded', `Message has more than maxBlocks (${maxBlocks}) content blocks: at ${path}`, path)
    if (!isPlainObject(raw) || typeof raw.type !== 'string')
      fail('invalid_type', `Expected a content block object with a string type at ${path}`, path)
    const block: Block = { kind: OTHER, call: -1, sentArguments: false, input: undefined, stopped: false }
    blocks.push(block)
    switch (raw.type) {
      case 'text':
        block.kind = TEXT
        return typeof raw.text === 'string' && raw.text !== '' ? [chunk({ content: raw.text })] : []
      case 'thinking': {
        block.kind = THINKING
        const text = typeof raw.thinking === 'string' ? raw.thinking : ''
        const detail: Record<string, unknown> = { type: 'reasoning.text', text, index, format: REASONING_FORMAT }
        if (typeof raw.signature === 'string' && raw.signature !== '') detail.signature = raw.signature
        const delta: Record<string, unknown> = { reasoning_details: [detail] }
        if (text !== '') delta.reasoning_content = text
        return [chunk(delta)]
      }
      case 'redacted_thinking':
        return [chunk({ reasoning_details: [{ type: 'reasoning.encrypted', data: raw.data, index, format: REASONING_FORMAT }] })]
      case 'tool_use': {
        if (typeof raw.id !== 'string' || typeof raw.name !== 'string')
          fail('invalid_type', `Expected a tool_use block with string id and name at ${path}`, path)
        block.kind = TOOL
        block.call = calls++
        block.input = raw.input
        return [chunk({ tool_calls: [{ index: block.call, id: raw.id, type: 'function', function: { name: raw.name, arguments: '' } }] })]
      }
      case 'server_tool_use':
      case 'mcp_tool_use':
        block.kind = SERVER_TOOL
        return []
      case 'fallback':
        if (isPlainObject(raw.to) && typeof raw.to.model === 'string') model = raw.to.model
        return []
      default:
        return []
    }
  }

  function blockAt(data: Record<string, unknown>, type: string): Block {
    const index = data.index
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= blocks.length) {
      fail('invalid_index', `Invalid ${type} index: expected an integer from 0 to ${blocks.length - 1}, got ${describe(index)}`, '$.index')
    }
    const block = blocks[index]!
    if (block.stopped) fail('unexpected_event', `A ${type} arrived for the block at index ${index} after its content_block_stop`, '$.index')
    return block
  }

  function blockStart(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    if (data.index !== blocks.length) {
      fail(
        'invalid_index',
        `Invalid content_block_start index: expected ${blocks.length} (the next block), got ${describe(data.index)}`,
        '$.index',
      )
    }
    return addBlock(data.content_block, blocks.length, '$.content_block')
  }

  function blockDelta(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    const block = blockAt(data, 'content_block_delta')
    const delta = data.delta
    if (!isPlainObject(delta)) fail('invalid_type', `Expected content_block_delta.delta to be an object, got ${describe(delta)}`, '$.delta')
    switch (delta.type) {
      case 'text_delta': {
        const text = field(delta, 'text', block, TEXT)
        return text === '' ? NONE : [chunk({ content: text })]
      }
      case 'thinking_delta': {
        const text = field(delta, 'thinking', block, THINKING)
        if (text === '') return NONE
        return [
          chunk({
            reasoning_content: text,
            reasoning_details: [{ type: 'reasoning.text', text, index: data.index, format: REASONING_FORMAT }],
          }),
        ]
      }
      case 'signature_delta': {
        const signature = field(delta, 'signature', block, THINKING)
        if (signature === '') return NONE
        return [chunk({ reasoning_details: [{ type: 'reasoning.text', signature, index: data.index, format: REASONING_FORMAT }] })]
      }
      case 'input_json_delta': {
        if (block.kind === SERVER_TOOL) {
          field(delta, 'partial_json', block, SERVER_TOOL)
          return NONE
        }
        const fragment = field(delta, 'partial_json', block, TOOL)
        if (fragment === '') return NONE
        block.sentArguments = true
        return [chunk({ tool_calls: [{ index: block.call, function: { arguments: fragment } }] })]
      }
      case 'citations_delta':
        if (block.kind !== TEXT) fail('unexpected_event', `A citations_delta arrived for a block that is not text`, '$.delta.type')
        return NONE
      default:
        if (typeof delta.type !== 'string')
          fail('invalid_type', `Expected the delta type to be a string, got ${describe(delta.type)}`, '$.delta.type')
        return NONE
    }
  }

  function field(delta: Record<string, unknown>, key: string, block: Block, kind: number): string {
    if (block.kind !== kind) fail('unexpected_event', `A ${String(delta.type)} arrived for a block of another type`, '$.delta.type')
    const value = delta[key]
    if (typeof value !== 'string')
      fail('invalid_type', `Expected ${String(delta.type)}.${key} to be a string, got ${describe(value)}`, `$.delta.${key}`)
    return value
  }

  function blockStop(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    const block = blockAt(data, 'content_block_stop')
    return closeBlock(block)
  }

  /** A tool call that got no arguments fragment gets its start input as JSON (`{}` at least). */
  function closeBlock(block: Block): ChatCompletionChunk[] {
    block.stopped = true
    if (block.kind !== TOOL || block.sentArguments) return []
    block.sentArguments = true
    return [chunk({ tool_calls: [{ index: block.call, function: { arguments: JSON.stringify(block.input ?? {}) } }] })]
  }

  function messageDelta(data: Record<string, unknown>): readonly ChatCompletionChunk[] {
    if (isPlainObject(data.usage)) mergeUsage(data.usage)
    const delta = data.delta
    if (delta !== undefined && delta !== null && !isPlainObject(delta))
      fail('invalid_type', `Expected message_delta.delta to be an object, got ${describe(delta)}`, '$.delta')
    const reason = isPlainObject(delta) ? chatFinishReason(delta.stop_reason) : null
    if (reason === null) return NONE
    finished = true
    return [chunk({}, reason)]
  }

  function messageStop(): readonly ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = []
    for (const block of blocks) if (!block.stopped) out.push(...closeBlock(block))
    const reason = finished ? null : chatFinishReason(pendingStop)
    if (reason !== null) out.push(chunk({}, reason))
    out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(usage) })
    stopped = true
    return out
  }

  function mergeUsage(next: Record<string, unknown>): void {
    // Cumulative totals: the latest non-null value of each field wins (never summed).
    const merged: Record<string, unknown> = { ...usage }
    for (const key of [
      'input_tokens',
      'output_tokens',
      'cache_creation_input_tokens',
      'cache_read_input_tokens',
      'output_tokens_details',
    ]) {
      if (next[key] !== null && next[key] !== undefined) merged[key] = next[key]
    }
    usage = merged
  }

  return {
    push,
    end() {
      if (!started) throw new DeltafoldError('empty_stream', 'The stream ended without a message: no "message_start" event arrived')
      if (!stopped) throw new DeltafoldError('unexpected_eof', `The stream ended before "message_stop" of message "${id}"`)
      return NONE
    },
  }
}

const NONE: readonly ChatCompletionChunk[] = Object.freeze([])

function fail(code: DeltafoldErrorCode, message: string, path: string): never {
  throw new DeltafoldError(code, message, { path })
}
