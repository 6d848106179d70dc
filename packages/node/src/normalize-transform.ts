import { Transform, type TransformCallback } from 'node:stream'
import {
  createChatCompletionNormalizer,
  type ChatCompletion,
  type ChatCompletionNormalizer,
  type ChatCompletionNormalizerOptions,
} from '@deltafold/core'

/** The byte `stream.Transform` returned by {@link createNormalizeTransform}. */
export interface NormalizeTransform extends Transform {
  /** The completion the input folds to so far (before normalizing). Never throws. */
  snapshot(): ChatCompletion
}

/**
 * Creates a byte `stream.Transform` from the body of any OpenAI-compatible chat-completion stream (or,
 * with `format: 'responses' | 'anthropic' | 'auto'`, of an OpenAI Responses or Anthropic Messages
 * stream) to a canonical OpenAI `chat.completion.chunk` SSE stream (core's `createChatCompletionNormalizer`;
 * the same bytes as `ChatCompletionNormalizeStream` of `@deltafold/web`). Once the output ended
 * (`[DONE]` or an error event), later input is read and ignored.
 *
 * @param options - `reasoningField`, `limits`, `maxEventBytes`, `failClosed`, `format`, `translator`
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { text } from 'node:stream/consumers'
 * import { createNormalizeTransform } from '@deltafold/node'
 * const upstream = Readable.from([Buffer.from('data: {"id":"c1","choices":[{"delta":{"content":"Hi"}}]}\n\n')])
 * console.log(await text(upstream.pipe(createNormalizeTransform()))) // …"finish_reason":"stop"…data: [DONE]
 * ```
 */
export function createNormalizeTransform(options: ChatCompletionNormalizerOptions = {}): NormalizeTransform {
  return new ChatCompletionNormalizeTransform(options)
}

class ChatCompletionNormalizeTransform extends Transform implements NormalizeTransform {
  readonly #normalizer: ChatCompletionNormalizer

  constructor(options: ChatCompletionNormalizerOptions) {
    super()
    this.#normalizer = createChatCompletionNormalizer(options)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text: string
    try {
      text = this.#normalizer.feed(chunk)
    } catch (error) {
      callback(error as Error)
      return
    }
    if (text !== '') this.push(Buffer.from(text, 'utf8'))
    callback()
  }

  override _flush(callback: TransformCallback): void {
    let text: string
    try {
      text = this.#normalizer.end()
    } catch (error) {
      callback(error as Error)
      return
    }
    if (text !== '') this.push(Buffer.from(text, 'utf8'))
    callback()
  }

  snapshot(): ChatCompletion {
    return this.#normalizer.snapshot()
  }
}
