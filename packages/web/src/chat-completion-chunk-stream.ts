import { createChunkStage, type ChatCompletionChunk, type ServerSentEvent } from '@deltafold/core'

/**
 * A `TransformStream` from Server-Sent Events to parsed `chat.completion.chunk` objects, wrapping
 * core's `parseChunkEvent`. Events with empty data or `null` are skipped; `data: [DONE]` ends the
 * stream and every later event is ignored; an `event: error` or a `data: {"error": …}` payload
 * errors the stream with a `ProviderError` (`upstream_error`), and a payload that is not a JSON
 * object with a `DeltafoldError` (`invalid_json`, `invalid_chunk`).
 *
 * Errors are core's for the same bytes: after `SSEDecoderStream`, which records each event's number
 * and byte offset, they carry both; events from elsewhere are counted here and have no byte offset.
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
    const stage = createChunkStage()
    let emit!: (chunk: ChatCompletionChunk) => void
    super({
      start: (controller) => void (emit = (chunk) => controller.enqueue(chunk)),
      transform: (event) => stage.push(event, emit),
    })
  }
}
