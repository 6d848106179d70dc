import { DeltafoldError } from '../errors.js'
import { openByteSource, type ByteSource, type OpenedSource } from '../source/open-byte-source.js'
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
 * one is open; an abort rejects with `signal.reason` (with `partial` attached when it is an object).
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
export async function accumulateAnthropicMessage(source: ByteSource, options: AnthropicMessageStreamOptions = {}): Promise<AnthropicMessage> {
  const parser = createAnthropicStreamParser(options)
  let input: OpenedSource | undefined
  try {
    input = await openByteSource(source, options.signal)
    for (;;) {
      const result = await input.next()
      if (result.done) break
      parser.feed(result.value)
      if (parser.done) {
        // Not awaited: a source whose cancel never settles must not hang the result.
        void input.cancel()
        break
      }
    }
    input.close()
    return parser.end()
  } catch (error) {
    void input?.cancel(error)
    throw attachPartial(error, parser.snapshot)
  }
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
  const userOnEvent = options.onEvent
  const parser = createAnthropicStreamParser({
    ...options,
    onEvent(event) {
      queue.push(event)
      userOnEvent?.(event)
    },
  })
  let resolveFinal!: (message: AnthropicMessage) => void
  let rejectFinal!: (error: unknown) => void
  const final = new Promise<AnthropicMessage>((resolve, reject) => {
    resolveFinal = resolve
    rejectFinal = reject
  })
  // Nobody may be waiting for the final message: don't report an unhandled rejection for it.
  final.catch(() => {})
  // The generator was handed out (to `for await` or to finalMessage's drain).
  let started = false

  async function* run(): AsyncGenerator<AnthropicMessageEvent, void, undefined> {
    let input: OpenedSource | undefined
    // The stream ended, normally or with an error: no cancellation needed on return().
    let settled = false
    let head = 0
    try {
      input = await openByteSource(source, options.signal)
      for (;;) {
        const result = await input.next()
        if (result.done) break
        parser.feed(result.value)
        const done = parser.done
        if (done) void input.cancel()
        while (head < queue.length) {
          options.signal?.throwIfAborted()
          yield queue[head++]!
        }
        queue.length = 0
        head = 0
        if (done) break
      }
      input.close()
      const message = parser.end()
      settled = true
      resolveFinal(message)
      while (head < queue.length) yield queue[head++]!
    } catch (error) {
      settled = true
      const wrapped = attachPartial(error, parser.snapshot)
      rejectFinal(wrapped)
      void input?.cancel(wrapped)
      // The events decoded before the failure (the ones `partial` holds) first, unless aborted.
      if (!options.signal?.aborted) while (head < queue.length) yield queue[head++]!
      throw wrapped
    } finally {
      queue.length = 0
      if (!settled) {
        const reason = new DeltafoldError('aborted', 'The consumer stopped reading the stream')
        reason.partial = parser.snapshot()
        rejectFinal(reason)
        void input?.cancel(reason)
      }
    }
  }

  const iterator = run()
  return {
    [Symbol.asyncIterator]() {
      if (started) throw new TypeError('This stream can be iterated only once: call streamAnthropicMessage() again for a new one')
      started = true
      return iterator
    },
    finalMessage() {
      if (!started) {
        started = true
        void (async () => {
          try {
            for await (const _ of iterator) {
              // Draining: only the message is wanted.
            }
          } catch {
            // Reported through `final`.
          }
        })()
      }
      return final
    },
    snapshot: parser.snapshot,
  }
}

/** Attaches the partial message to an error leaving the pipeline (a foreign object gets it non-enumerable). */
function attachPartial(error: unknown, snapshot: () => AnthropicMessage): unknown {
  if (error instanceof DeltafoldError) {
    error.partial ??= snapshot()
    return error
  }
  if (typeof error === 'object' && error !== null && Object.isExtensible(error) && !('partial' in error)) {
    Object.defineProperty(error, 'partial', { value: snapshot(), enumerable: false, configurable: true, writable: true })
  }
  return error
}
