import { DeltafoldError, type DeltafoldErrorCode } from '../errors.js'
import { providerError } from './internal/read-event.js'
import { createPartialJSONParser } from '../json/partial-json-parser.js'
import type { PartialJSONParser } from '../json/types.js'
import { checkDepth, cloneJSON, copyJSON, describe, isPlainObject, type CopyBudget } from './internal/json-values.js'
import type {
  AnthropicContentBlock,
  AnthropicContentBlockDelta,
  AnthropicMessage,
  AnthropicMessageEvent,
  AnthropicStreamEvent,
} from './types.js'

/** Limits on everything an Anthropic stream can make the fold hold. All are configurable. */
export interface AnthropicMessageLimits {
  /** Content blocks per message; a block `index` must be below it. @defaultValue 1024 */
  maxBlocks?: number
  /**
   * Total data received, counted as it arrives: text, thinking, signatures and `partial_json`
   * fragments in UTF-16 code units, plus every kept value (blocks, citations, usage) at about its JSON
   * size. @defaultValue 64 MiB (67,108,864)
   */
  maxBytes?: number
  /** Nesting depth of kept values and of tool `input`, so the result always `JSON.stringify`s. @defaultValue 64 */
  maxDepth?: number
}

/** Options of {@link createAnthropicMessageAccumulator}. */
export interface AnthropicMessageAccumulatorOptions {
  /** Receives every {@link AnthropicMessageEvent} in wire order. Nothing is built when it is absent. */
  onEvent?: (event: AnthropicMessageEvent) => void
  /** Limits; see {@link AnthropicMessageLimits}. */
  limits?: AnthropicMessageLimits
  /**
   * Parse tool input incrementally, once per byte: `content_block_delta` events of an
   * `input_json_delta` carry `partial`, the input parsed so far (`undefined` once it stopped being JSON).
   * @defaultValue false
   */
  parseInput?: boolean
}

/** The object returned by {@link createAnthropicMessageAccumulator}. */
export interface AnthropicMessageAccumulator {
  /**
   * Folds one parsed stream event (the `data:` JSON of an SSE event). `ping` and unknown event types
   * are skipped; events after `message_stop` are ignored. The first error (bad input, a limit, an
   * `error` event, or an exception thrown by `onEvent`) stops the accumulator: this and every later
   * `push()` and `finish()` throw it. DeltafoldErrors carry `partial`, the message when it was raised.
   */
  push(event: AnthropicStreamEvent | object): void
  /** The message so far, at any moment (also after an error): a fresh copy. Tool blocks still streaming show their input parsed so far. Never throws. */
  snapshot(): AnthropicMessage
  /**
   * Ends the stream and returns the final message (the same object on later calls). Throws
   * `unexpected_eof` (with `partial`) when `message_stop` never came, `empty_stream` when no message started.
   */
  finish(): AnthropicMessage
  /** `message_stop` arrived: the message is complete and later events are ignored. */
  readonly done: boolean
}

// Block kinds: what the deltas of a block may be.
const TEXT = 0
const THINKING = 1
const TOOL = 2
const COMPACTION = 3
const OTHER = 4

const TOOL_TYPES = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use'])
/** Fields of `message_delta.delta` the SDK assigns even when absent (`undefined` removes them). */
const ASSIGNED_DELTA_FIELDS = new Set(['stop_reason', 'stop_sequence', 'stop_details'])

interface BlockState {
  kind: number
  /** The kept block; text fields hold the joined prefix, `parts` the fragments after it. */
  block: Record<string, unknown>
  parts: string[]
  /** An `input_json_delta` arrived: the input is the parse of `json` (plus `parts`), not the start's. */
  streamed: boolean
  json: string
  parser: PartialJSONParser | undefined
  /** `content_block_stop` arrived (or the message stopped): the block takes no more deltas. */
  stopped: boolean
}

const EMPTY_MESSAGE = (): AnthropicMessage => ({
  id: '',
  type: 'message',
  role: 'assistant',
  content: [],
  model: '',
  stop_reason: null,
  stop_sequence: null,
  usage: { input_tokens: 0, output_tokens: 0 },
})

/**
 * Creates the Anthropic Messages fold: a state machine that folds the events of a Messages stream
 * (`message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta`, `message_stop`) into the
 * final `Message`, the one `@anthropic-ai/sdk`'s `MessageStream.finalMessage()` builds: text and
 * thinking appended, `signature` set, citations appended, tool `input` = `JSON.parse` of the joined
 * `partial_json` (`{}` when it is empty), `compaction_delta` assigned, usage overwritten field by field
 * by `message_delta` (never summed), the model relabelled by a `fallback` block, as the SDK's beta stream
 * does. Beyond the SDK: a duplicated `message_start` for the open message is ignored; a different
 * message starting while one is open is an `unexpected_event` error whose `partial` is the first
 * message; blocks are checked (`index` in order and below `maxBlocks`, deltas matching the block's
 * type, nothing after a block's stop): `invalid_index`, `invalid_type`, `unexpected_event`.
 *
 * @param options - `onEvent`, `limits`, `parseInput`
 * @example
 * ```ts
 * import { createAnthropicMessageAccumulator } from '@deltafold/core'
 * const acc = createAnthropicMessageAccumulator()
 * acc.push({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-x', stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } })
 * acc.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
 * acc.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } })
 * acc.push({ type: 'content_block_stop', index: 0 })
 * acc.push({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } })
 * acc.push({ type: 'message_stop' })
 * acc.finish().content // [{ type: 'text', text: 'Hello' }]
 * ```
 */
export function createAnthropicMessageAccumulator(options: AnthropicMessageAccumulatorOptions = {}): AnthropicMessageAccumulator {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'createAnthropicMessageAccumulator() takes an options object: createAnthropicMessageAccumulator({ parseInput: true })',
    )
  }
  const limits = options.limits ?? {}
  const maxBlocks = limitOption(limits.maxBlocks, 1024, 'maxBlocks')
  const maxBytes = limitOption(limits.maxBytes, 64 * 1024 * 1024, 'maxBytes')
  const maxDepth = limitOption(limits.maxDepth, 64, 'maxDepth')
  const emit = typeof options.onEvent === 'function' ? options.onEvent : undefined
  const parseInput = options.parseInput === true

  // The kept message_start message, without `content` (the blocks are in `blocks`); undefined before it.
  let message: Record<string, unknown> | undefined
  const blocks: BlockState[] = []
  // Everything counted against maxBytes so far.
  let bytes = 0
  // message_stop arrived: later events are ignored, finish() returns `final`.
  let done = false
  let final: AnthropicMessage | undefined
  // The first error stopped the fold: push() and finish() rethrow it, snapshot() still works.
  let failure: unknown
  let failed = false

  const budget: CopyBudget = {
    maxDepth,
    count(n, path) {
      bytes += n
      if (bytes > maxBytes) fail('limit_exceeded', `Accumulated stream exceeds maxBytes (${maxBytes}): at ${path}`, path)
    },
  }

  function push(event: AnthropicStreamEvent | object): void {
    if (failed) throw failure
    if (done) return
    try {
      apply(event)
    } catch (error) {
      failed = true
      failure = error
      if (error instanceof DeltafoldError) error.partial ??= snapshot()
      throw error
    }
  }

  function apply(event: unknown): void {
    if (!isPlainObject(event)) fail('invalid_chunk', `Expected a stream event object, got ${describe(event)}`, '$')
    const type = event.type
    if (typeof type !== 'string') fail('invalid_type', `Expected the event type to be a string, got ${describe(type)}`, '$.type')
    switch (type) {
      case 'ping':
        return
      case 'error':
        throw providerError(event.error)
      case 'message_start':
        return messageStart(event)
      case 'content_block_start':
      case 'content_block_delta':
      case 'content_block_stop':
      case 'message_delta':
      case 'message_stop':
        if (message === undefined) fail('unexpected_event', `A "${type}" event arrived before "message_start"`, '$.type')
        if (type === 'content_block_start') return blockStart(event)
        if (type === 'content_block_delta') return blockDelta(event)
        if (type === 'content_block_stop') return blockStop(event)
        if (type === 'message_delta') return messageDelta(event)
        return messageStop()
      default:
      // Unknown event types are skipped, as the SDK does: new event kinds must not break old clients.
    }
  }

  function messageStart(event: Record<string, unknown>): void {
    const wire = event.message
    if (!isPlainObject(wire)) fail('invalid_type', `Expected message_start.message to be an object, got ${describe(wire)}`, '$.message')
    const id = wire.id
    if (typeof id !== 'string') fail('invalid_type', `Expected the message id to be a string, got ${describe(id)}`, '$.message.id')
    if (message !== undefined) {
      // A proxy that replays the start of a message (the same id) is harmless: ignore the copy.
      if (message.id === id) return
      fail('unexpected_event', `Message "${id}" started while message "${String(message.id)}" was open`, '$.message.id')
    }
    const { content, ...rest } = wire
    if (content !== undefined && content !== null && !Array.isArray(content)) {
      fail('invalid_type', `Expected message.content to be an array, got ${describe(content)}`, '$.message.content')
    }
    const kept = copyJSON(budget, rest, '$.message') as Record<string, unknown>
    if (kept.usage !== undefined && !isPlainObject(kept.usage))
      fail('invalid_type', `Expected message.usage to be an object, got ${describe(kept.usage)}`, '$.message.usage')
    // `content` goes back at its place among the keys when the message is built.
    const ordered: Record<string, unknown> = {}
    for (const key of Object.keys(wire)) if (key !== '__proto__') ordered[key] = key === 'content' ? null : kept[key]
    if (!('content' in ordered)) ordered.content = null
    message = ordered
    if (Array.isArray(content)) for (let i = 0; i < content.length; i++) addBlock(content[i], i, `$.message.content[${i}]`)
    if (emit) emit({ type: 'message_start', message: snapshot() })
  }

  function addBlock(raw: unknown, index: number, path: string): BlockState {
    if (index >= maxBlocks) fail('limit_exceeded', `Message has more than maxBlocks (${maxBlocks}) content blocks: at ${path}`, path)
    if (!isPlainObject(raw)) fail('invalid_type', `Expected a content block object at ${path}, got ${describe(raw)}`, path)
    const type = raw.type
    if (typeof type !== 'string')
      fail('invalid_type', `Expected the content block type to be a string, got ${describe(type)}`, `${path}.type`)
    const block = copyJSON(budget, raw, path) as Record<string, unknown>
    let kind = OTHER
    if (type === 'text') {
      kind = TEXT
      if (block.text === undefined) block.text = ''
      else if (typeof block.text !== 'string')
        fail('invalid_type', `Expected text to be a string, got ${describe(block.text)}`, `${path}.text`)
    } else if (type === 'thinking') {
      kind = THINKING
      if (block.thinking === undefined) block.thinking = ''
      else if (typeof block.thinking !== 'string')
        fail('invalid_type', `Expected thinking to be a string, got ${describe(block.thinking)}`, `${path}.thinking`)
    } else if (TOOL_TYPES.has(type)) kind = TOOL
    else if (type === 'compaction') kind = COMPACTION
    else if (type === 'fallback' && message !== undefined) {
      // The SDK's beta stream relabels the message with the model that served it.
      const to = block.to
      if (isPlainObject(to) && typeof to.model === 'string') message.model = to.model
    }
    const state: BlockState = { kind, block, parts: [], streamed: false, json: '', parser: undefined, stopped: false }
    blocks.push(state)
    return state
  }

  function blockIndex(event: Record<string, unknown>, type: string): number {
    const index = event.index
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= blocks.length) {
      const range = blocks.length === 0 ? 'no block has started' : `expected an integer from 0 to ${blocks.length - 1}`
      fail('invalid_index', `Invalid ${type} index: ${range}, got ${describe(index)}`, '$.index')
    }
    return index
  }

  function blockStart(event: Record<string, unknown>): void {
    const index = event.index
    if (index !== blocks.length) {
      fail(
        'invalid_index',
        `Invalid content_block_start index: expected ${blocks.length} (the next block), got ${describe(index)}`,
        '$.index',
      )
    }
    const state = addBlock(event.content_block, index, '$.content_block')
    if (emit) emit({ type: 'content_block_start', index, content_block: buildBlock(state, true) })
  }

  function blockDelta(event: Record<string, unknown>): void {
    const index = blockIndex(event, 'content_block_delta')
    const state = blocks[index]!
    const blockType = String(state.block.type)
    if (state.stopped)
      fail(
        'unexpected_event',
        `A content_block_delta arrived for the ${blockType} block at index ${index} after its content_block_stop`,
        '$.index',
      )
    const delta = event.delta
    if (!isPlainObject(delta)) fail('invalid_type', `Expected content_block_delta.delta to be an object, got ${describe(delta)}`, '$.delta')
    const type = delta.type
    let partial: unknown
    switch (type) {
      case 'text_delta':
        expectKind(state, TEXT, type, index)
        append(state, stringField(delta, 'text'))
        break
      case 'thinking_delta':
        expectKind(state, THINKING, type, index)
        append(state, stringField(delta, 'thinking'))
        break
      case 'signature_delta': {
        expectKind(state, THINKING, type, index)
        const signature = stringField(delta, 'signature')
        budget.count(signature.length, '$.delta.signature')
        state.block.signature = signature
        break
      }
      case 'citations_delta': {
        expectKind(state, TEXT, type, index)
        const citation = copyJSON(budget, delta.citation, '$.delta.citation')
        if (!isPlainObject(citation))
          fail('invalid_type', `Expected a citation object, got ${describe(delta.citation)}`, '$.delta.citation')
        const citations = state.block.citations
        if (Array.isArray(citations)) citations.push(citation)
        else state.block.citations = [citation]
        break
      }
      case 'input_json_delta': {
        expectKind(state, TOOL, type, index)
        const fragment = stringField(delta, 'partial_json')
        if (!state.streamed) {
          state.streamed = true
          if (parseInput) state.parser = createPartialJSONParser({ maxDepth, maxBytes })
        }
        append(state, fragment)
        if (state.parser !== undefined) {
          try {
            state.parser.feed(fragment)
            partial = state.parser.value
          } catch {
            // Not JSON (any more): the error is raised at the block's stop, with the whole text.
            state.parser = undefined
          }
        }
        break
      }
      case 'compaction_delta': {
        expectKind(state, COMPACTION, type, index)
        // The delta carries the block's final value (null content = failed compaction): assign, as the SDK does.
        const content = delta.content
        if (content !== null && typeof content !== 'string')
          fail('invalid_type', `Expected compaction content to be a string or null, got ${describe(content)}`, '$.delta.content')
        state.block.content = copyJSON(budget, content, '$.delta.content')
        if ('encrypted_content' in delta)
          state.block.encrypted_content = copyJSON(budget, delta.encrypted_content, '$.delta.encrypted_content') ?? null
        break
      }
      default:
        if (typeof type !== 'string') fail('invalid_type', `Expected the delta type to be a string, got ${describe(type)}`, '$.delta.type')
        // Unknown delta types are skipped, as the SDK does.
        return
    }
    if (emit) {
      const copy = copyJSON(budget, delta, '$.delta') as AnthropicContentBlockDelta
      const out: AnthropicMessageEvent & { type: 'content_block_delta' } = { type: 'content_block_delta', index, delta: copy }
      if (type === 'input_json_delta' && parseInput) out.partial = partial
      emit(out)
    }
  }

  function blockStop(event: Record<string, unknown>): void {
    const index = blockIndex(event, 'content_block_stop')
    const state = blocks[index]!
    if (state.stopped) fail('unexpected_event', `A second content_block_stop arrived for the block at index ${index}`, '$.index')
    stopBlock(state, index)
    if (emit) emit({ type: 'content_block_stop', index, content_block: buildBlock(state, true) })
  }

  function stopBlock(state: BlockState, index: number): void {
    state.stopped = true
    flush(state)
    if (!state.streamed) return
    const path = `$.content[${index}].input`
    let input: unknown
    if (state.json === '') input = {}
    else if (state.parser !== undefined) {
      try {
        input = state.parser.end()
      } catch (cause) {
        failInput(state, index, cause, path)
      }
    } else {
      try {
        input = JSON.parse(state.json)
      } catch (cause) {
        failInput(state, index, cause, path)
      }
      checkDepth(input, maxDepth, path)
    }
    state.parser = undefined
    state.block.input = input
  }

  function failInput(state: BlockState, index: number, cause: unknown, path: string): never {
    if (cause instanceof DeltafoldError && cause.code !== 'invalid_json') {
      cause.path = path
      throw cause
    }
    const detail = cause instanceof Error ? cause.message : String(cause)
    const head = state.json.length > 80 ? state.json.slice(0, 80) + '…' : state.json
    throw new DeltafoldError(
      'invalid_json',
      `Invalid JSON in the input of the ${String(state.block.type)} block at index ${index}: ${detail}: ${JSON.stringify(head)}`,
      {
        path,
        cause,
      },
    )
  }

  function messageDelta(event: Record<string, unknown>): void {
    const msg = message!
    const { type: _type, delta, usage, ...rest } = event
    if (delta !== undefined && delta !== null && !isPlainObject(delta))
      fail('invalid_type', `Expected message_delta.delta to be an object, got ${describe(delta)}`, '$.delta')
    if (usage !== undefined && usage !== null && !isPlainObject(usage))
      fail('invalid_type', `Expected message_delta.usage to be an object, got ${describe(usage)}`, '$.usage')
    if (isPlainObject(delta)) {
      for (const key of ASSIGNED_DELTA_FIELDS) {
        const value = copyJSON(budget, delta[key], `$.delta.${key}`)
        if (value === undefined) delete msg[key]
        else msg[key] = value
      }
      for (const key of Object.keys(delta)) {
        if (key === '__proto__' || ASSIGNED_DELTA_FIELDS.has(key)) continue
        const value = delta[key]
        if (value !== null && value !== undefined) msg[key] = copyJSON(budget, value, `$.delta.${key}`)
      }
    }
    // Other top-level fields (context_management, input_transformations) are message fields: set when non-null.
    for (const key of Object.keys(rest)) {
      const value = rest[key]
      if (key !== '__proto__' && value !== null && value !== undefined) msg[key] = copyJSON(budget, value, `$.${key}`)
    }
    if (isPlainObject(usage)) {
      const target = isPlainObject(msg.usage) ? msg.usage : (msg.usage = {})
      // Cumulative whole-message totals: overwrite when present, never add (as the SDK does).
      for (const key of Object.keys(usage)) {
        const value = usage[key]
        if (key === '__proto__' || value === null || value === undefined) continue
        target[key] = copyJSON(budget, value, `$.usage.${key}`)
      }
    }
    if (emit) {
      const out = {
        type: 'message_delta',
        delta: copyJSON(budget, delta ?? {}, '$.delta'),
        usage: copyJSON(budget, usage ?? {}, '$.usage'),
      }
      emit(out as AnthropicMessageEvent)
    }
  }

  function messageStop(): void {
    // Blocks still open (no content_block_stop) are finished as the SDK would read them.
    for (let i = 0; i < blocks.length; i++) if (!blocks[i]!.stopped) stopBlock(blocks[i]!, i)
    final = build(false)
    done = true
    if (emit) emit({ type: 'message_stop', message: final })
  }

  function expectKind(state: BlockState, kind: number, type: string, index: number): void {
    if (state.kind !== kind)
      fail('unexpected_event', `A ${type} arrived for the ${String(state.block.type)} block at index ${index}`, '$.delta.type')
  }

  function stringField(delta: Record<string, unknown>, key: string): string {
    const value = delta[key]
    if (typeof value !== 'string')
      fail('invalid_type', `Expected ${String(delta.type)}.${key} to be a string, got ${describe(value)}`, `$.delta.${key}`)
    return value
  }

  function append(state: BlockState, text: string): void {
    if (text === '') return
    bytes += text.length
    if (bytes > maxBytes) fail('limit_exceeded', `Accumulated stream exceeds maxBytes (${maxBytes}): at $.delta`, '$.delta')
    state.parts.push(text)
  }

  /** Joins the pending fragments into the block (once per read, so repeated snapshots stay linear). */
  function flush(state: BlockState): void {
    if (state.parts.length === 0) return
    const text = state.parts.length === 1 ? state.parts[0]! : state.parts.join('')
    state.parts.length = 0
    if (state.kind === TEXT) state.block.text = (state.block.text as string) + text
    else if (state.kind === THINKING) state.block.thinking = (state.block.thinking as string) + text
    else state.json += text
  }

  /** The block as a message shows it: a copy (or the held object, for the final message). */
  function buildBlock(state: BlockState, copy: boolean): AnthropicContentBlock {
    flush(state)
    const block = copy ? cloneJSON(state.block) : state.block
    if (state.streamed && !state.stopped) block.input = partialInput(state)
    return block as unknown as AnthropicContentBlock
  }

  /** The input of a tool block still streaming: its JSON text parsed as far as it goes. */
  function partialInput(state: BlockState): unknown {
    if (state.parser !== undefined) return cloneJSON(state.parser.value) ?? {}
    const parser = createPartialJSONParser({ maxDepth, maxBytes: Infinity })
    try {
      parser.feed(state.json)
    } catch {
      // Not JSON from some point on: what parsed before it is the best partial value.
    }
    return parser.value ?? {}
  }

  function build(copy: boolean): AnthropicMessage {
    if (message === undefined) return EMPTY_MESSAGE()
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(message)) {
      out[key] = key === 'content' ? blocks.map((state) => buildBlock(state, copy)) : copy ? cloneJSON(message[key]) : message[key]
    }
    return out as unknown as AnthropicMessage
  }

  function snapshot(): AnthropicMessage {
    if (final !== undefined) return cloneJSON(final)
    return build(true)
  }

  function finish(): AnthropicMessage {
    if (failed) throw failure
    if (final !== undefined) return final
    const error =
      message === undefined
        ? new DeltafoldError('empty_stream', 'The stream ended without a message: no "message_start" event arrived')
        : new DeltafoldError('unexpected_eof', `The stream ended before "message_stop" of message "${String(message.id)}"`)
    error.partial = snapshot()
    failed = true
    failure = error
    throw error
  }

  return {
    push,
    snapshot,
    finish,
    get done() {
      return done
    },
  }
}

function fail(code: DeltafoldErrorCode, message: string, path: string): never {
  throw new DeltafoldError(code, message, { path })
}

function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`limits.${name} must be a positive number, got ${describe(value)}: leave it out for the default of ${fallback}`)
  }
  return value
}
