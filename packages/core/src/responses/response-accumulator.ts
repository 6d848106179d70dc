import { DeltafoldError, ProviderError } from '../errors.js'
import { createPartialJSONParser } from '../json/partial-json-parser.js'
import type { PartialJSONParser } from '../json/types.js'
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_OUTPUT_ITEMS, DEFAULT_MAX_PARTS, limit } from './internal/limits.js'
import { cloneChecked, copyWire, isRecord, show } from './internal/wire-value.js'
import type { Response, ResponseStreamEvent } from './types.js'

/** Limits on everything a Responses stream can make the fold hold. All are configurable. */
export interface ResponseLimits {
  /** Output items; an `output_index` must be below it. @defaultValue 4096 */
  maxOutputItems?: number
  /**
   * Parts of one item: a `content_index`, `summary_index`, `annotation_index` or `command_index`
   * must be below it. @defaultValue 4096
   */
  maxParts?: number
  /** Nesting depth of the objects kept (items, parts, responses). @defaultValue 64 */
  maxDepth?: number
  /**
   * Total data received, counted as it arrives: every delta and `.done` text in UTF-16 code units,
   * every kept object (items, parts, responses, annotations) at about its JSON size. Values that
   * replace earlier ones still count, so the budget bounds the work a stream can cause.
   * @defaultValue 64 MiB (67,108,864)
   */
  maxBytes?: number
}

/** Options of {@link createResponseAccumulator}. */
export interface ResponseAccumulatorOptions {
  /** Receives every event in wire order, after it was folded (so `snapshot()` inside sees it). */
  onEvent?: (event: ResponseStreamEvent) => void
  /** Limits; see {@link ResponseLimits}. */
  limits?: ResponseLimits
  /**
   * Parse function-call arguments incrementally: each `response.function_call_arguments.delta`
   * event is handed to `onEvent` as a copy carrying `partial`, the arguments parsed so far. Each
   * argument character is parsed once.
   * @defaultValue false
   */
  parseArguments?: boolean
}

/** Where an event came from, for error messages; the stream entry points pass it. */
export interface ResponseEventPosition {
  /** 1-based number of the event; defaults to the number of events pushed. */
  eventNumber?: number
  /** Offset of the end of the event in the input. */
  byteOffset?: number
  /** The raw `data:` text, kept on errors. */
  data?: string
}

/** The object returned by {@link createResponseAccumulator}. */
export interface ResponseAccumulator {
  /**
   * Folds one parsed Responses stream event. The first error (bad input, a limit, a provider
   * error, an exception thrown by `onEvent`) stops the fold: this and every later `push()` and
   * `finish()` throw it, with `partial` (the response as it was) attached.
   */
  push(event: ResponseStreamEvent | object, position?: ResponseEventPosition): void
  /** The response so far, at any moment (also after an error): a fresh copy. Never throws. */
  snapshot(): Response
  /**
   * Ends the stream and returns the final response: the terminal event's `response`. Throws
   * `unexpected_eof` (with `partial`) when no `response.completed`/`.incomplete`/`.failed` arrived.
   */
  finish(): Response
  /** A terminal event arrived: later events are not expected (the stream entry points stop reading). */
  readonly ended: boolean
  /** Number of events pushed so far. */
  readonly eventCount: number
}

/** Progress event suffixes that set the item's `status` (`response.web_search_call.searching` …). */
const PROGRESS = new Set(['in_progress', 'searching', 'interpreting', 'generating', 'completed', 'failed'])
/** The fewest appends between two flattens of a growing text (see `append`). */
const FLATTEN_PIECES = 8

interface ItemState {
  /** The item as folded so far: the fold's own copy, mutated in place. */
  item: Record<string, unknown>
  /** Appends since the last flatten of one of the item's texts (see `append`). */
  pieces: number
  /** Incremental parser of function-call arguments (with `parseArguments`); dropped when they stop being JSON. */
  parser: PartialJSONParser | undefined
}

/**
 * Creates the Responses API fold: a state machine that builds the `Response` from the stream's
 * deltas — items by `output_index` (some gateways rotate item ids, the index is what stays put),
 * content parts by `content_index`, summaries by `summary_index` — so that `snapshot()` at any moment
 * and the `partial` of an error are the real response so far. The terminal event's `response`
 * (`response.completed`, `.incomplete`) is authoritative at the end (when it comes with an empty
 * `output`, the folded items stand in). `response.failed` and `error` events throw a
 * {@link ProviderError}; a delta for an item or part never added throws `unexpected_event`.
 *
 * @param options - `onEvent`, `limits`, `parseArguments`
 * @example
 * ```ts
 * import { createResponseAccumulator } from '@deltafold/core'
 * const acc = createResponseAccumulator()
 * acc.push({ type: 'response.created', response: { id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-4o', output: [], error: null, incomplete_details: null } })
 * acc.push({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } })
 * acc.push({ type: 'response.content_part.added', output_index: 0, content_index: 0, item_id: 'msg_1', part: { type: 'output_text', text: '', annotations: [] } })
 * acc.push({ type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'Hi' })
 * acc.snapshot().output[0] // { type: 'message', …, content: [{ type: 'output_text', text: 'Hi', annotations: [] }] }
 * ```
 */
export function createResponseAccumulator(options: ResponseAccumulatorOptions = {}): ResponseAccumulator {
  const emit = options.onEvent
  const parseArguments = options.parseArguments === true
  const limits = options.limits ?? {}
  const maxOutputItems = limit(limits.maxOutputItems, DEFAULT_MAX_OUTPUT_ITEMS, 'maxOutputItems')
  const maxParts = limit(limits.maxParts, DEFAULT_MAX_PARTS, 'maxParts')
  const maxDepth = limit(limits.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth')
  const maxBytes = limit(limits.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes')

  // The latest lifecycle response (`created`, `in_progress`, `queued`) without its output: the
  // response-level fields of the snapshot.
  let base: Record<string, unknown> | undefined
  // Items by output_index; holes are items never added (skipped in snapshots).
  const items: Array<ItemState | undefined> = []
  // The terminal event's response (the fold's own copy), once it arrived.
  let terminal: Record<string, unknown> | undefined
  // The first error: every later call throws it.
  let failure: unknown
  let eventCount = 0
  // Data received so far, against maxBytes (see ResponseLimits.maxBytes).
  const size = { bytes: 0 }
  // Position of the event being folded, for errors.
  let position: ResponseEventPosition = {}
  let eventType = ''

  function fail(
    code: 'invalid_index' | 'invalid_type' | 'unexpected_event' | 'limit_exceeded' | 'invalid_chunk',
    message: string,
    path?: string,
  ): never {
    throw new DeltafoldError(code, `${message} (${eventType || 'event'} ${where()})`, {
      eventNumber: position.eventNumber ?? eventCount,
      ...(position.byteOffset === undefined ? {} : { byteOffset: position.byteOffset }),
      ...(path === undefined ? {} : { path }),
      ...(position.data === undefined ? {} : { data: position.data }),
    })
  }

  function where(): string {
    const n = position.eventNumber ?? eventCount
    return position.byteOffset === undefined ? `at event ${n}` : `at event ${n}, byte ${position.byteOffset}`
  }

  function charge(n: number): void {
    size.bytes += n
    if (size.bytes > maxBytes) fail('limit_exceeded', `The stream passed maxBytes (${maxBytes}) of accumulated data`)
  }

  function copy(value: unknown, path: string): unknown {
    let result: unknown
    try {
      result = copyWire(value, maxDepth, size, path)
    } catch (error) {
      if (error instanceof DeltafoldError) {
        error.eventNumber ??= position.eventNumber ?? eventCount
        if (position.byteOffset !== undefined) error.byteOffset ??= position.byteOffset
      }
      throw error
    }
    charge(0)
    return result
  }

  function index(event: Record<string, unknown>, field: string, max: number, limitName: string): number {
    const value = event[field]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      fail('invalid_index', `"${field}" must be a non-negative integer, got ${show(value)}`, `$.${field}`)
    }
    if (value >= max) fail('invalid_index', `"${field}" ${value} is not below ${limitName} (${max})`, `$.${field}`)
    return value
  }

  function text(event: Record<string, unknown>, field: string): string {
    const value = event[field]
    if (typeof value !== 'string') fail('invalid_type', `"${field}" must be a string, got ${show(value)}`, `$.${field}`)
    charge(value.length)
    return value
  }

  function object(event: Record<string, unknown>, field: string): Record<string, unknown> {
    const value = event[field]
    if (!isRecord(value)) fail('invalid_type', `"${field}" must be an object, got ${show(value)}`, `$.${field}`)
    return copy(value, `$.${field}`) as Record<string, unknown>
  }

  /** The item at the event's `output_index`, which must have been added (and be one of `types`). */
  function itemOf(event: Record<string, unknown>, types?: readonly string[]): ItemState {
    const at = index(event, 'output_index', maxOutputItems, 'maxOutputItems')
    const state = items[at]
    if (state === undefined) fail('unexpected_event', `Output item ${at} was never added`, '$.output_index')
    if (types !== undefined && !types.includes(state.item.type as string)) {
      fail(
        'unexpected_event',
        `Output item ${at} is a ${show(state.item.type)}, not ${types.map((t) => `"${t}"`).join(' or ')}`,
        '$.output_index',
      )
    }
    return state
  }

  /** The array `field` of an item (created empty when absent), as the fold's own array. */
  function listOf(state: ItemState, field: string): unknown[] {
    const value = state.item[field]
    if (Array.isArray(value)) return value
    const list: unknown[] = []
    state.item[field] = list
    return list
  }

  /** The part at `event[indexField]` of `list`, which must have been added (and be of `type`). */
  function partOf(list: unknown[], event: Record<string, unknown>, indexField: string, type?: string): Record<string, unknown> {
    const at = index(event, indexField, maxParts, 'maxParts')
    const part = list[at]
    if (!isRecord(part))
      fail('unexpected_event', `Part ${at} of output item ${String(event.output_index)} was never added`, `$.${indexField}`)
    if (type !== undefined && part.type !== type) {
      fail(
        'unexpected_event',
        `Part ${at} of output item ${String(event.output_index)} is a ${show(part.type)}, not "${type}"`,
        `$.${indexField}`,
      )
    }
    return part
  }

  /**
   * Appends `delta` to the string field `field` of `target`. `+` builds a V8 rope, ~32 bytes per piece
   * until something flattens it; a character read flattens in place once max(FLATTEN_PIECES,
   * length / 64) pieces piled up, which keeps memory near the text's size at an amortized 64 copied
   * characters per append (the chat accumulator measured 2 MB held instead of 64 MB for two million
   * one-character deltas).
   */
  function append(state: ItemState, target: Record<string, unknown>, field: string, delta: string): string {
    const current = target[field]
    const next = typeof current === 'string' ? current + delta : delta
    target[field] = next
    if (++state.pieces >= FLATTEN_PIECES && state.pieces >= next.length >>> 6) {
      next.charCodeAt(0)
      state.pieces = 0
    }
    return next
  }

  function setPart(list: unknown[], at: number, part: unknown): void {
    // Holes below `at` stay holes (`undefined`): a part added out of order is placed where it says.
    list[at] = part
  }

  function lifecycle(event: Record<string, unknown>): void {
    const response = object(event, 'response')
    const output = response.output
    delete response.output
    base = response
    if (items.length === 0 && Array.isArray(output)) {
      for (let i = 0; i < output.length && i < maxOutputItems; i++) {
        if (isRecord(output[i])) items[i] = { item: output[i] as Record<string, unknown>, pieces: 0, parser: undefined }
      }
    }
  }

  function fold(event: Record<string, unknown>): ResponseStreamEvent {
    const type = event.type
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        lifecycle(event)
        break
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        const response = object(event, 'response')
        if (!Array.isArray(response.output) || (response.output.length === 0 && items.some((s) => s !== undefined))) {
          // A terminal response without its output (some gateways, hand-written streams): the folded items stand in.
          response.output = foldedOutput()
        }
        terminal = response
        if (type === 'response.failed') {
          const error = response.error
          const message = isRecord(error) && typeof error.message === 'string' ? error.message : 'the response failed'
          throw new ProviderError(
            'upstream_error',
            `The provider failed the response (response.failed ${where()}): ${message}`,
            error ?? response,
            {
              eventNumber: position.eventNumber ?? eventCount,
              ...(position.byteOffset === undefined ? {} : { byteOffset: position.byteOffset }),
              path: '$.response.error',
              ...(position.data === undefined ? {} : { data: position.data }),
              partial: cloneChecked(terminal) as unknown as Response,
            },
          )
        }
        break
      }
      case 'error': {
        const nested = event.error
        const error = isRecord(nested) ? nested : event
        const message = typeof error.message === 'string' ? error.message : 'unknown error'
        throw new ProviderError('upstream_error', `The provider sent an error event ${where()}: ${message}`, copy(error, '$'), {
          eventNumber: position.eventNumber ?? eventCount,
          ...(position.byteOffset === undefined ? {} : { byteOffset: position.byteOffset }),
          ...(position.data === undefined ? {} : { data: position.data }),
        })
      }
      case 'response.output_item.added': {
        const at = index(event, 'output_index', maxOutputItems, 'maxOutputItems')
        if (items[at] !== undefined) fail('unexpected_event', `Output item ${at} was already added`, '$.output_index')
        const item = object(event, 'item')
        if (typeof item.type !== 'string') fail('invalid_type', `"item.type" must be a string, got ${show(item.type)}`, '$.item.type')
        items[at] = { item, pieces: 0, parser: undefined }
        if (parseArguments && item.type === 'function_call') items[at]!.parser = startParser(item.arguments)
        break
      }
      case 'response.output_item.done': {
        const at = index(event, 'output_index', maxOutputItems, 'maxOutputItems')
        const item = object(event, 'item')
        if (typeof item.type !== 'string') fail('invalid_type', `"item.type" must be a string, got ${show(item.type)}`, '$.item.type')
        const state = items[at]
        if (state === undefined) items[at] = { item, pieces: 0, parser: undefined }
        else state.item = item
        break
      }
      case 'response.content_part.added':
      case 'response.content_part.done': {
        const state = itemOf(event, ['message', 'reasoning'])
        const at = index(event, 'content_index', maxParts, 'maxParts')
        const part = object(event, 'part')
        const list = listOf(state, 'content')
        if (type === 'response.content_part.added' && isRecord(list[at]))
          fail('unexpected_event', `Part ${at} of output item ${String(event.output_index)} was already added`, '$.content_index')
        setPart(list, at, part)
        break
      }
      case 'response.output_text.delta': {
        const state = itemOf(event, ['message'])
        const part = partOf(listOf(state, 'content'), event, 'content_index', 'output_text')
        append(state, part, 'text', text(event, 'delta'))
        const logprobs = event.logprobs
        if (Array.isArray(logprobs) && logprobs.length > 0) {
          const kept = copy(logprobs, '$.logprobs') as unknown[]
          if (Array.isArray(part.logprobs)) for (const entry of kept) (part.logprobs as unknown[]).push(entry)
          else part.logprobs = kept
        }
        break
      }
      case 'response.output_text.done': {
        const state = itemOf(event, ['message'])
        partOf(listOf(state, 'content'), event, 'content_index', 'output_text').text = text(event, 'text')
        break
      }
      case 'response.output_text.annotation.added': {
        const state = itemOf(event, ['message'])
        const part = partOf(listOf(state, 'content'), event, 'content_index', 'output_text')
        const at = index(event, 'annotation_index', maxParts, 'maxParts')
        const annotation = copy(event.annotation, '$.annotation')
        if (!Array.isArray(part.annotations)) part.annotations = []
        setPart(part.annotations as unknown[], at, annotation)
        break
      }
      case 'response.refusal.delta': {
        const state = itemOf(event, ['message'])
        append(state, partOf(listOf(state, 'content'), event, 'content_index', 'refusal'), 'refusal', text(event, 'delta'))
        break
      }
      case 'response.refusal.done': {
        const state = itemOf(event, ['message'])
        partOf(listOf(state, 'content'), event, 'content_index', 'refusal').refusal = text(event, 'refusal')
        break
      }
      case 'response.function_call_arguments.delta': {
        const state = itemOf(event, ['function_call'])
        const delta = text(event, 'delta')
        append(state, state.item, 'arguments', delta)
        if (parseArguments) return { ...(event as object), partial: feedParser(state, delta) } as ResponseStreamEvent
        break
      }
      case 'response.function_call_arguments.done': {
        const state = itemOf(event, ['function_call'])
        state.item.arguments = text(event, 'arguments')
        if (typeof event.name === 'string') state.item.name = event.name
        break
      }
      case 'response.custom_tool_call_input.delta': {
        const state = itemOf(event, ['custom_tool_call'])
        append(state, state.item, 'input', text(event, 'delta'))
        break
      }
      case 'response.custom_tool_call_input.done': {
        itemOf(event, ['custom_tool_call']).item.input = text(event, 'input')
        break
      }
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_part.done': {
        const state = itemOf(event, ['reasoning'])
        const at = index(event, 'summary_index', maxParts, 'maxParts')
        const part = object(event, 'part')
        const list = listOf(state, 'summary')
        if (type === 'response.reasoning_summary_part.added' && isRecord(list[at]))
          fail('unexpected_event', `Summary part ${at} of output item ${String(event.output_index)} was already added`, '$.summary_index')
        setPart(list, at, part)
        break
      }
      case 'response.reasoning_summary_text.delta': {
        const state = itemOf(event, ['reasoning'])
        append(state, partOf(listOf(state, 'summary'), event, 'summary_index'), 'text', text(event, 'delta'))
        break
      }
      case 'response.reasoning_summary_text.done': {
        const state = itemOf(event, ['reasoning'])
        partOf(listOf(state, 'summary'), event, 'summary_index').text = text(event, 'text')
        break
      }
      case 'response.reasoning_text.delta': {
        const state = itemOf(event, ['reasoning'])
        append(state, partOf(listOf(state, 'content'), event, 'content_index', 'reasoning_text'), 'text', text(event, 'delta'))
        break
      }
      case 'response.reasoning_text.done': {
        const state = itemOf(event, ['reasoning'])
        partOf(listOf(state, 'content'), event, 'content_index', 'reasoning_text').text = text(event, 'text')
        break
      }
      case 'response.mcp_call_arguments.delta': {
        const state = itemOf(event, ['mcp_call'])
        append(state, state.item, 'arguments', text(event, 'delta'))
        break
      }
      case 'response.mcp_call_arguments.done':
        itemOf(event, ['mcp_call']).item.arguments = text(event, 'arguments')
        break
      case 'response.code_interpreter_call_code.delta': {
        const state = itemOf(event, ['code_interpreter_call'])
        append(state, state.item, 'code', text(event, 'delta'))
        break
      }
      case 'response.code_interpreter_call_code.done':
        itemOf(event, ['code_interpreter_call']).item.code = text(event, 'code')
        break
      case 'response.apply_patch_call_operation_diff.delta': {
        const state = itemOf(event, ['apply_patch_call'])
        append(state, operationOf(state), 'diff', text(event, 'delta'))
        break
      }
      case 'response.apply_patch_call_operation_diff.done': {
        const state = itemOf(event, ['apply_patch_call'])
        operationOf(state).diff = text(event, 'diff')
        break
      }
      case 'response.shell_call_command.added':
      case 'response.shell_call_command.delta':
      case 'response.shell_call_command.done': {
        const state = itemOf(event, ['shell_call'])
        const at = index(event, 'command_index', maxParts, 'maxParts')
        const commands = commandsOf(state)
        if (type === 'response.shell_call_command.delta') {
          if (typeof commands[at] !== 'string')
            fail('unexpected_event', `Command ${at} of output item ${String(event.output_index)} was never added`, '$.command_index')
          append(state, commands as unknown as Record<string, unknown>, String(at), text(event, 'delta'))
        } else {
          const command = event.command === undefined && type === 'response.shell_call_command.added' ? '' : text(event, 'command')
          setPart(commands, at, command)
        }
        break
      }
      case 'response.shell_call_output_content.delta': {
        const state = itemOf(event, ['shell_call_output'])
        const at = index(event, 'command_index', maxParts, 'maxParts')
        const delta = event.delta
        if (!isRecord(delta)) fail('invalid_type', `"delta" must be an object, got ${show(delta)}`, '$.delta')
        const output = listOf(state, 'output')
        let entry = output[at]
        if (!isRecord(entry)) {
          entry = {}
          setPart(output, at, entry)
        }
        for (const field of ['stdout', 'stderr']) {
          if (delta[field] !== undefined) append(state, entry as Record<string, unknown>, field, text(delta, field))
        }
        break
      }
      case 'response.shell_call_output_content.done': {
        const state = itemOf(event, ['shell_call_output'])
        const output = event.output
        if (!Array.isArray(output)) fail('invalid_type', `"output" must be an array, got ${show(output)}`, '$.output')
        state.item.output = copy(output, '$.output')
        break
      }
      default:
        if (typeof type !== 'string') fail('invalid_chunk', `The event has no string "type", got ${show(type)}`, '$.type')
        progress(event, type)
    }
    return event as unknown as ResponseStreamEvent
  }

  /** `response.<item type>.<status>` sets the status of the item it names; other events pass unfolded. */
  function progress(event: Record<string, unknown>, type: string): void {
    const dot = type.lastIndexOf('.')
    if (!type.startsWith('response.') || dot <= 9 || !PROGRESS.has(type.slice(dot + 1))) return
    const group = type.slice(9, dot)
    if (group.includes('.') || event.output_index === undefined) return
    const state = itemOf(event)
    if (state.item.type === group) state.item.status = type.slice(dot + 1)
  }

  function operationOf(state: ItemState): Record<string, unknown> {
    const operation = state.item.operation
    if (isRecord(operation)) return operation
    const created: Record<string, unknown> = {}
    state.item.operation = created
    return created
  }

  function commandsOf(state: ItemState): unknown[] {
    let action = state.item.action
    if (!isRecord(action)) {
      action = {}
      state.item.action = action
    }
    const commands = (action as Record<string, unknown>).commands
    if (Array.isArray(commands)) return commands
    const created: unknown[] = []
    ;(action as Record<string, unknown>).commands = created
    return created
  }

  function startParser(initial: unknown): PartialJSONParser {
    const parser = createPartialJSONParser({ maxBytes })
    if (typeof initial === 'string' && initial !== '') parser.feed(initial)
    return parser
  }

  function feedParser(state: ItemState, delta: string): unknown {
    const parser = state.parser
    if (parser === undefined) return undefined
    try {
      parser.feed(delta)
      return parser.value
    } catch {
      // The arguments stopped being JSON: no more partial values for this call (the text is kept).
      state.parser = undefined
      return undefined
    }
  }

  function foldedOutput(): unknown[] {
    const output: unknown[] = []
    for (const state of items) if (state !== undefined) output.push(cloneChecked(state.item))
    return output
  }

  function snapshot(): Response {
    if (terminal !== undefined) return cloneChecked(terminal) as unknown as Response
    const response: Record<string, unknown> = base === undefined ? emptyResponse() : cloneChecked(base)
    response.output = foldedOutput()
    return response as unknown as Response
  }

  return {
    push(event, at) {
      if (failure !== undefined) throw failure
      eventCount++
      position = at ?? {}
      eventType = ''
      try {
        if (!isRecord(event)) {
          fail('invalid_chunk', `An event must be an object, got ${show(event)}`)
        }
        if (typeof event.type === 'string') eventType = event.type
        if (terminal !== undefined) return
        const folded = fold(event)
        emit?.(folded)
      } catch (error) {
        if (error instanceof DeltafoldError) error.partial ??= snapshot()
        failure = error
        throw error
      }
    },
    snapshot,
    finish() {
      if (failure !== undefined) throw failure
      if (terminal === undefined) {
        const n = eventCount
        failure = new DeltafoldError(
          'unexpected_eof',
          `The stream ended after ${n} event${n === 1 ? '' : 's'} without response.completed, response.incomplete or response.failed`,
          { eventNumber: n, partial: snapshot() },
        )
        throw failure
      }
      return cloneChecked(terminal) as unknown as Response
    },
    get ended() {
      return terminal !== undefined
    },
    get eventCount() {
      return eventCount
    },
  }
}

function emptyResponse(): Record<string, unknown> {
  return { id: '', object: 'response', created_at: 0, model: '', output: [], error: null, incomplete_details: null }
}
