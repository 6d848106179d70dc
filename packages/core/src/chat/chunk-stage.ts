import type { ServerSentEvent } from '../sse/sse-decoder.js'
import { carriesData, parseChunkEvent } from './parse-chunk-event.js'
import { eventPositionOf, recordEventPosition } from '../sse/event-position.js'
import type { ChatCompletionChunk } from './types.js'

/** The object returned by {@link createChunkStage}. */
export interface ChunkStage {
  /**
   * Turns one SSE event into the chunk to pass on (or nothing: empty data, `null`, `[DONE]`, anything
   * after `[DONE]`). A provider error throws a `ProviderError`, after handing a chunk that also carries
   * choices or usage to `emit`; a payload that is not a chunk object throws `invalid_json` or `invalid_chunk`.
   */
  push(event: ServerSentEvent, emit: (chunk: ChatCompletionChunk) => void): void
  /** `data: [DONE]` arrived: later events are ignored. */
  readonly sawDone: boolean
}

/**
 * The events → chunks stage of the adapters' multi-stage pipelines (`ChatCompletionChunkStream`,
 * `createChunkTransform`), over {@link parseChunkEvent}: the same skips, `[DONE]` and errors as core's
 * one-stage parser. Positions come from the SSE stage when it recorded them (the adapters' decoder
 * stages do), so errors carry the same event number and byte offset as core's; otherwise events are
 * counted here and errors have no byte offset. Each chunk passed on keeps its event's position for the
 * accumulate stage.
 *
 * @example
 * ```ts
 * import { createChunkStage } from '@deltafold/core'
 * const stage = createChunkStage()
 * const chunks: unknown[] = []
 * stage.push({ type: 'message', data: '{"choices":[{"index":0,"delta":{"content":"Hi"}}]}', lastEventId: '' }, (chunk) => chunks.push(chunk))
 * chunks // [{ choices: [{ index: 0, delta: { content: 'Hi' } }] }]
 * stage.push({ type: 'message', data: '[DONE]', lastEventId: '' }, () => {})
 * stage.sawDone // true
 * ```
 */
export function createChunkStage(): ChunkStage {
  return new Stage()
}

class Stage implements ChunkStage {
  // Events received so far; the event being parsed is number `received` when no position was recorded.
  received = 0
  // `data: [DONE]` arrived: later events are ignored, as openai-node does.
  sawDone = false

  push(event: ServerSentEvent, emit: (chunk: ChatCompletionChunk) => void): void {
    if (this.sawDone) return
    this.received++
    const position = eventPositionOf(event) ?? { eventNumber: this.received }
    const result = parseChunkEvent(event, position)
    if (result.kind === 'done') this.sawDone = true
    else if (result.kind === 'chunk') {
      // A chunk carrying an `error` beside choices or usage (OpenRouter) still goes downstream first,
      // so that what it carries counts; an error-only payload is just the error.
      if (!result.error || carriesData(result.chunk)) {
        recordEventPosition(result.chunk, position)
        emit(result.chunk)
      }
      if (result.error) throw result.error
    }
  }
}
