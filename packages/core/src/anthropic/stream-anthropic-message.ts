import type { ByteSource } from '../source/open-byte-source.js'
import { pullStream } from '../source/pull-stream.js'
import { pullEvents, pullToEnd, queueEvents } from '../source/internal/pull-events.js'
import { createAnthropicStreamParser, type AnthropicMessageStreamOptions } from './internal/anthropic-stream-parser.js'
import type { AnthropicMessage, AnthropicMessageEvent } from './types.js'

export type { AnthropicMessageStreamOptions } from './internal/anthropic-stream-parser.js'

/** What {@link streamAnthropicMessage} returns: the events, and the final message. */
export interface StreamedAnthropicMessage extends AsyncIterable<AnthropicMessageEvent> {
  /** Resolves with the final message; rejects with the pipeline's error (which carries `partial`). */
  finalMessage(): Promise<AnthropicMessage>
  /** The message so far (a copy). Never throws. */
  snapshot(): AnthropicMessage
}

/**
 * Reads a whole Anthropic Messages stream and resolves with the final `Message`, the one
 * `@anthropic-ai/sdk`'s `MessageStream.finalMessage()` builds from the same bytes. The source is
 * cancelled once `message_stop` arrives. Errors are `DeltafoldError`s carrying `partial` (the message
 * so far): `unexpected_eof` when the stream ends before `message_stop`, a `ProviderError` for
 * `event: error` (such as `overloaded_error`), `unexpected_event` when another message starts while
 * one is open. The abort contract is chat's (see `abortReason`): an object `signal.reason` rejects as
 * it is, with `partial` attached; a primitive one is wrapped in an `aborted` error carrying `partial`.
 *
 * @param source - `response.body`, a `Response`, any (async) iterable of `Uint8Array`/string chunks, or a string
 * @param options - accumulator options (`limits`, `parseInput`, `onEvent`), `maxEventBytes`, `signal`
 * @example
 * ```ts
 * import { accumulateAnthropicMessage } from '@deltafold/core'
 * const message = await accumulateAnthropicMessage([
 *   'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
 *   'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
 *   'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
 *   'event: message_stop\ndata: {"type":"message_stop"}\n\n',
 * ])
 * message.content // [{ type: 'text', text: 'Hi' }]
 * ```
 */
export async function accumulateAnthropicMessage(
  source: ByteSource,
  options: AnthropicMessageStreamOptions = {},
): Promise<AnthropicMessage> {
  const parser = createAnthropicStreamParser(options)
  return pullToEnd(pullStream(source, parser, () => parser.done, options.signal))
}

/**
 * Streams the typed {@link AnthropicMessageEvent}s of an Anthropic Messages stream in wire order, with
 * `finalMessage()` for the result. The source is read only as fast as events are consumed; breaking
 * out of `for await` cancels it once (and `finalMessage()` then rejects with an `aborted` error carrying
 * `partial`). On an error, the events decoded before it are handed out first, then the loop throws the
 * error (with `partial`).
 *
 * @param source - as for {@link accumulateAnthropicMessage}
 * @param options - as for {@link accumulateAnthropicMessage}; `parseInput: true` adds `partial` tool input to `input_json_delta` events
 * @example
 * ```ts
 * import { streamAnthropicMessage } from '@deltafold/core'
 * const stream = streamAnthropicMessage([
 *   'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
 *   'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"search","input":{}}}\n\n',
 *   'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\": \\"delta"}}\n\n',
 *   'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"fold\\"}"}}\n\n',
 *   'event: message_stop\ndata: {"type":"message_stop"}\n\n',
 * ], { parseInput: true })
 * for await (const event of stream) {
 *   if (event.type === 'content_block_delta') console.log(event.partial) // { q: 'delta' }, then { q: 'deltafold' }
 * }
 * const message = await stream.finalMessage() // content: [{ type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'deltafold' } }]
 * ```
 */
export function streamAnthropicMessage(source: ByteSource, options: AnthropicMessageStreamOptions = {}): StreamedAnthropicMessage {
  const queue: AnthropicMessageEvent[] = []
  const parser = createAnthropicStreamParser({ ...options, onEvent: queueEvents(queue, options.onEvent) })
  const events = pullEvents(
    pullStream(source, parser, () => parser.done, options.signal),
    queue,
    options.signal,
    'streamAnthropicMessage',
  )
  return {
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
    finalMessage: events.final,
    snapshot: parser.snapshot,
  }
}
