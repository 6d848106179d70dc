import type { ByteSource } from '../source/open-byte-source.js'
import { pullStream } from '../source/pull-stream.js'
import { pullEvents, pullToEnd, queueEvents } from '../source/internal/pull-events.js'
import { createResponseStreamParser, type ResponseStreamOptions } from './internal/response-stream-parser.js'
import type { Response, ResponseStreamEvent } from './types.js'

export type { ResponseStreamOptions } from './internal/response-stream-parser.js'

/** What {@link streamResponse} returns: the events in wire order, and the final response. */
export interface StreamedResponse extends AsyncIterable<ResponseStreamEvent> {
  /** Resolves with the final response; rejects with the pipeline's error (which carries `partial`). */
  finalResponse(): Promise<Response>
  /** The response so far (a copy). Never throws. */
  snapshot(): Response
}

/**
 * Reads a whole OpenAI Responses API stream and resolves with the final `Response`: the terminal
 * event's `response`, checked against nothing but built alongside from the deltas, so that every
 * failure carries a real `partial`. A stream without `response.completed`/`.incomplete`/`.failed`
 * rejects `unexpected_eof`; `response.failed` and `error` events reject with a `ProviderError`; an
 * abort rejects with `signal.reason` (an object, with `partial` attached) or, for a primitive reason, an
 * `aborted` error carrying `partial` (see `abortReason`). Bytes after the terminal event (or `data: [DONE]`) are not read:
 * the source is cancelled.
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of `Uint8Array`/string chunks, or a string
 * @param options - `limits`, `parseArguments`, `onEvent`, `maxEventBytes`, `signal`
 * @example
 * ```ts
 * import { accumulateResponse } from '@deltafold/core'
 * const response = await accumulateResponse(
 *   'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_1","object":"response","created_at":1,"model":"gpt-4o","status":"completed","output":[],"error":null,"incomplete_details":null}}\n\n',
 * )
 * response.status // 'completed'
 * ```
 */
export async function accumulateResponse(source: ByteSource, options: ResponseStreamOptions = {}): Promise<Response> {
  const parser = createResponseStreamParser(options)
  return pullToEnd(pullStream(source, parser, () => parser.stopped, options.signal))
}

/**
 * Streams the events of an OpenAI Responses API stream as an async iterable (each event as the wire
 * sent it, in order; with `parseArguments`, function-call argument deltas carry `partial`), with
 * `finalResponse()` for the result. The source is read only as fast as events are consumed; breaking
 * out of `for await` cancels it, and `finalResponse()` then rejects `aborted` with `partial`. On an
 * error the events decoded before it are handed out first, then the loop throws the error.
 *
 * @param source - as for {@link accumulateResponse}
 * @param options - as for {@link accumulateResponse}
 * @example
 * ```ts
 * import { streamResponse } from '@deltafold/core'
 * const stream = streamResponse([
 *   'data: {"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","role":"assistant","status":"in_progress","content":[]}}\n\n',
 *   'data: {"type":"response.content_part.added","output_index":0,"content_index":0,"item_id":"m","part":{"type":"output_text","text":"","annotations":[]}}\n\n',
 *   'data: {"type":"response.output_text.delta","output_index":0,"content_index":0,"item_id":"m","delta":"Hi"}\n\n',
 *   'data: {"type":"response.completed","response":{"id":"resp_1","object":"response","created_at":1,"model":"m","status":"completed","output":[],"error":null,"incomplete_details":null}}\n\n',
 * ])
 * for await (const event of stream) if (event.type === 'response.output_text.delta') console.log(event.delta) // Hi
 * const response = await stream.finalResponse() // output: the folded message (the terminal output was empty)
 * ```
 */
export function streamResponse(source: ByteSource, options: ResponseStreamOptions = {}): StreamedResponse {
  const queue: ResponseStreamEvent[] = []
  const parser = createResponseStreamParser({ ...options, onEvent: queueEvents(queue, options.onEvent) })
  const events = pullEvents(
    pullStream(source, parser, () => parser.stopped, options.signal),
    queue,
    options.signal,
    'streamResponse',
  )
  return {
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
    finalResponse: events.final,
    snapshot: parser.snapshot,
  }
}
