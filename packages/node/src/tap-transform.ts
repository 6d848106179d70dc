import { Transform, type TransformCallback } from 'node:stream'
import { createChatCompletionTap, type ChatCompletion, type ChatCompletionTap, type ChatCompletionTapOptions } from '@deltafold/core'

/** The byte `stream.Transform` returned by {@link createTapTransform}. */
export interface TapTransform extends Transform {
  /**
   * Resolves with the final completion at `data: [DONE]` or when the bytes end; rejects with the
   * typed error that stopped the fold (carrying `partial`), or `aborted` when the transform is
   * destroyed before the end.
   */
  finalChatCompletion(): Promise<ChatCompletion>
  /** The completion so far: a fresh copy, at any time, also after an error. Never throws. */
  snapshot(): ChatCompletion
}

/**
 * Creates a byte `stream.Transform` for gateways: every chunk is pushed first, the same `Buffer`,
 * unchanged and in order, and folded after (core's `createChatCompletionTap`), so the client never
 * waits on the fold and nothing is buffered beyond the SSE event being decoded.
 *
 * Fail-open: a malformed stream, a limit or a provider error stops the fold, never the bytes;
 * `finalChatCompletion()` rejects with the typed error carrying `partial`. `failClosed: true`
 * destroys the stream on bad input instead. When `pipeline()` tears it down (the client went away),
 * the upstream is destroyed with it and the fold rejects `aborted`.
 *
 * @param options - fold options (`onEvent`, `limits`, `strict`, `parseArguments`, `maxEventBytes`), `failClosed`
 * @example
 * ```ts
 * import { Readable, Writable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * import { createTapTransform } from '@deltafold/node'
 * const upstream = Readable.from([Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n')])
 * const tap = createTapTransform()
 * await pipeline(upstream, tap, new Writable({ write: (_chunk, _enc, done) => done() }))
 * console.log((await tap.finalChatCompletion()).choices[0]?.message.content) // 'Hi'
 * ```
 */
export function createTapTransform(options: ChatCompletionTapOptions = {}): TapTransform {
  return new ChatCompletionTapTransform(options)
}

class ChatCompletionTapTransform extends Transform implements TapTransform {
  readonly #tap: ChatCompletionTap

  constructor(options: ChatCompletionTapOptions) {
    super()
    this.#tap = createChatCompletionTap(options)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Out first: the client's read never waits on the fold.
    this.push(chunk)
    try {
      this.#tap.feed(chunk)
    } catch (error) {
      callback(error as Error)
      return
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#tap.end()
    } catch (error) {
      callback(error as Error)
      return
    }
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Settles only a fold still running: after the end or an error this changes nothing.
    this.#tap.cancel(error ?? undefined)
    callback(error)
  }

  finalChatCompletion(): Promise<ChatCompletion> {
    return this.#tap.finalChatCompletion()
  }

  snapshot(): ChatCompletion {
    return this.#tap.snapshot()
  }
}
