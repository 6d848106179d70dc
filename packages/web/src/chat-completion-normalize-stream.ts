import {
  createChatCompletionNormalizer,
  type ChatCompletion,
  type ChatCompletionNormalizer,
  type ChatCompletionNormalizerOptions,
} from '@deltafold/core'

/**
 * A byte `TransformStream` from the body of any OpenAI-compatible chat-completion stream (or, with
 * `format: 'responses' | 'anthropic' | 'auto'`, of an OpenAI Responses or Anthropic Messages stream) to a
 * canonical OpenAI `chat.completion.chunk` SSE stream (core's `createChatCompletionNormalizer`):
 * stable `id`/`created`/`model`, choice and tool-call indexes, tool-call headers once, reasoning
 * under one field, a `finish_reason` per choice, usage in a last usage-only chunk, `data: [DONE]`.
 * A provider error is re-emitted as `data: {"error": {…}}` after what came before it. Once the output
 * ends (`[DONE]` or an error event) the stream terminates, which cancels the upstream.
 *
 * @param options - `reasoningField`, `limits`, `maxEventBytes`, `failClosed`, `format`, `translator`
 * @example
 * ```ts
 * import { ChatCompletionNormalizeStream } from '@deltafold/web'
 * const upstream = new Response('data: {"id":"c1","choices":[{"delta":{"content":"Hi"}}]}\n\n').body!
 * const text = await new Response(upstream.pipeThrough(new ChatCompletionNormalizeStream())).text()
 * // data: {"id":"c1",…,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}
 * // data: {"id":"c1",…,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
 * // data: [DONE]
 * ```
 */
export class ChatCompletionNormalizeStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly #normalizer: ChatCompletionNormalizer

  constructor(options: ChatCompletionNormalizerOptions = {}) {
    const normalizer = createChatCompletionNormalizer(options)
    const encoder = new TextEncoder()
    super({
      transform(chunk, controller) {
        const text = normalizer.feed(chunk)
        if (text !== '') controller.enqueue(encoder.encode(text))
        // The output is complete: close the readable side and stop reading the upstream.
        if (normalizer.done) controller.terminate()
      },
      flush(controller) {
        const text = normalizer.end()
        if (text !== '') controller.enqueue(encoder.encode(text))
      },
    })
    this.#normalizer = normalizer
  }

  /**
   * The completion the input folds to so far (before normalizing). Never throws.
   * @example
   * ```ts
   * import { ChatCompletionNormalizeStream } from '@deltafold/web'
   * new ChatCompletionNormalizeStream().snapshot().choices // []
   * ```
   */
  snapshot(): ChatCompletion {
    return this.#normalizer.snapshot()
  }
}
