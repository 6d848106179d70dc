import { carriesData, parseChunkEvent, type ChatCompletionChunk, type ServerSentEvent } from '@deltafold/core'

/**
 * A `TransformStream` from Server-Sent Events to parsed `chat.completion.chunk` objects, wrapping
 * core's `parseChunkEvent`. Events with empty data or `null` are skipped; `data: [DONE]` ends the
 * stream and every later event is ignored; an `event: error` or a `data: {"error": …}` payload
 * errors the stream with a `ProviderError` (`upstream_error`), and a payload that is not a JSON
 * object with a `DeltafoldError` (`invalid_json`, `invalid_chunk`).
 *
 * Errors carry `eventNumber` (1-based, counting the events this stream received) and `data`, but no
 * `byteOffset`: the events arrive already decoded, so this layer cannot know it. `fromResponse`,
 * which sees the bytes, reports it.
 *
 * @example
 * ```ts
 * import { ChatCompletionChunkStream, SSEDecoderStream } from '@deltafold/web'
 * const body = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n').body!
 * const chunks = body.pipeThrough(new SSEDecoderStream()).pipeThrough(new ChatCompletionChunkStream())
 * for await (const chunk of chunks) console.log(chunk.choices[0]?.delta.content) // 'Hi'
 * ```
 */
export class ChatCompletionChunkStream extends TransformStream<ServerSentEvent, ChatCompletionChunk> {
  constructor() {
    // Number of events received so far; the event being parsed is number `eventNumber`.
    let eventNumber = 0
    // `data: [DONE]` arrived: later events are ignored, as openai-node does.
    let sawDone = false
    super({
      transform(event, controller) {
        if (sawDone) return
        eventNumber++
        const result = parseChunkEvent(event, { eventNumber })
        if (result.kind === 'done') sawDone = true
        else if (result.kind === 'chunk') {
          // A chunk carrying an `error` beside choices or usage (OpenRouter) still goes downstream
          // first, so that what it carries counts; an error-only payload is just the error.
          if (!result.error || carriesData(result.chunk)) controller.enqueue(result.chunk)
          if (result.error) throw result.error
        }
      },
    })
  }
}
