import { DeltafoldError, ProviderError } from '../errors.js'
import type { ServerSentEvent } from '../sse/sse-decoder.js'
import type { ChatCompletionChunk } from './types.js'
import { describe as describeValue, isPlainObject } from './internal/values.js'

/** Where an SSE event came from, for error messages. */
export interface EventPosition {
  eventNumber: number
  /** Absent where the events arrived already decoded (the web and node chunk stages). */
  byteOffset?: number
}

/** What {@link parseChunkEvent} makes of one SSE event. */
export type ChunkEventResult =
  | {
      kind: 'chunk'
      chunk: ChatCompletionChunk
      /**
       * The chunk carries a non-null `error` (OpenRouter sends one beside choices and usage): the
       * provider failed mid-stream. Apply the chunk, then fail with this error.
       */
      error?: ProviderError
    }
  | { kind: 'done' }
  | { kind: 'skip' }

/**
 * Turns one SSE event of a chat-completion stream into a chunk: empty data and `null` are skipped,
 * `[DONE]` ends the stream, `event: error` becomes a {@link ProviderError}, anything that is not a JSON
 * object is a typed error naming the event number, byte offset and raw data. A chunk with a non-null
 * `error` field comes back with that error as a {@link ProviderError} in `error`, to raise once the
 * chunk is applied.
 *
 * @param event - the decoded SSE event
 * @param position - its event number and byte offset, for errors
 * @example
 * ```ts
 * import { parseChunkEvent } from '@deltafold/core'
 * parseChunkEvent({ type: 'message', data: '[DONE]', lastEventId: '' }, { eventNumber: 9, byteOffset: 900 }) // { kind: 'done' }
 * ```
 */
export function parseChunkEvent(event: ServerSentEvent, position: EventPosition): ChunkEventResult {
  const data = event.data
  if (event.type === 'error') throw errorEvent(data, position)
  if (data === '' || data === 'null') return SKIP
  if (data.length <= 10 && data.trim() === '[DONE]') return DONE
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch (cause) {
    throw new DeltafoldError('invalid_json', `Invalid JSON in ${where(position)}: ${clip(data)}`, {
      ...position,
      cause,
      data,
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DeltafoldError('invalid_chunk', `The payload of ${where(position)} is not a chunk object: ${clip(data)}`, {
      ...position,
      data,
    })
  }
  const error = (value as { error?: unknown }).error
  if (error === undefined || error === null) return { kind: 'chunk', chunk: value as ChatCompletionChunk }
  return {
    kind: 'chunk',
    chunk: value as ChatCompletionChunk,
    // Worded as the accumulator's own check plus the position suffix core's stream parser adds, so
    // that the chunk stages and core report the same message (test: entry-points.test.ts).
    error: new ProviderError('upstream_error', `${providerErrorMessage(error)} (${at(position)})`, error, {
      ...position,
      path: '$.error',
      data,
    }),
  }
}

/**
 * Whether a chunk carries choices or usage: what a stage that fails on an `error` chunk must still
 * pass on first, so that nothing the provider sent before failing is lost.
 *
 * @param chunk - a parsed chunk
 * @example
 * ```ts
 * import { carriesData } from '@deltafold/core'
 * carriesData({ error: { message: 'x' } }) // false
 * ```
 */
export function carriesData(chunk: object): boolean {
  const { choices, usage } = chunk as { choices?: unknown; usage?: unknown }
  return (Array.isArray(choices) && choices.length > 0) || (usage !== undefined && usage !== null)
}

/**
 * The message of a chunk's `error` field: one wording for the accumulator (which adds the position
 * when it runs inside a stream parser) and for {@link parseChunkEvent}.
 */
export function providerErrorMessage(error: unknown): string {
  return `The provider sent an error: ${isPlainObject(error) && typeof error.message === 'string' ? error.message : describeValue(error)}`
}

function at(position: EventPosition): string {
  return position.byteOffset === undefined ? `event ${position.eventNumber}` : `event ${position.eventNumber}, byte ${position.byteOffset}`
}

function where(position: EventPosition): string {
  return position.byteOffset === undefined
    ? `event ${position.eventNumber}`
    : `event ${position.eventNumber} at byte ${position.byteOffset}`
}

/**
 * The chunks of an event whose data failed to parse but whose every line is a whole payload
 * (a chunk, `[DONE]`, empty or `null`), or undefined when one is not.
 */
export function splitDataLines(event: ServerSentEvent, position: EventPosition, error: unknown): ChunkEventResult[] | undefined {
  const data = event.data
  if (event.type === 'error' || !(error instanceof DeltafoldError) || error.code !== 'invalid_json' || data.indexOf('\n') === -1) {
    return undefined
  }
  const results: ChunkEventResult[] = []
  for (const line of data.split('\n')) {
    try {
      results.push(parseChunkEvent({ type: event.type, data: line, lastEventId: event.lastEventId }, position))
    } catch {
      return undefined
    }
  }
  return results
}

/**
 * `event: error` ends the stream whatever its data: JSON (`{"error": …}` or a bare error object), text,
 * or nothing at all (the error is then the raw data string).
 */
function errorEvent(data: string, position: EventPosition): ProviderError {
  let error: unknown = data
  try {
    const value: unknown = JSON.parse(data)
    error =
      typeof value === 'object' && value !== null && !Array.isArray(value) && 'error' in value ? (value as { error: unknown }).error : value
  } catch {
    // Not JSON: the text itself is the error.
  }
  const detail = data === '' ? 'no details' : typeof error === 'string' ? clip(error) : errorMessage(error)
  return new ProviderError('upstream_error', `The provider sent an error event: ${detail}`, error, { ...position, data })
}

const SKIP: ChunkEventResult = { kind: 'skip' }
const DONE: ChunkEventResult = { kind: 'done' }

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text)
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message
  }
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error))
}
