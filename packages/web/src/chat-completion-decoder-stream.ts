import {
  DeltafoldError,
  createChatCompletionStreamParser,
  withPartial,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type ChatCompletionStreamParser,
  type CompletionEvent,
} from '@deltafold/core'
import { ensureAsyncIterable } from './internal/async-iterable.js'

/** Options of {@link ChatCompletionDecoderStream}: those of core's `streamChatCompletion`, plus `batch`. */
export interface ChatCompletionDecoderStreamOptions<Batch extends boolean = boolean> extends ChatCompletionStreamOptions {
  /**
   * Emit the events of each network chunk as one array (in wire order, none left out) instead of one
   * event per read: a stream of web-streams items costs about a microsecond per item in Node 20,
   * more than decoding the event, so a consumer that handles events in a loop anyway reads the same
   * events several times faster this way (`adapters` bench).
   * @defaultValue false
   */
  batch?: Batch
}

/** What the readable side of a {@link ChatCompletionDecoderStream} yields: events, or arrays of them with `batch: true`. */
export type ChatCompletionDecoderStreamOutput<Batch extends boolean> = Batch extends true ? CompletionEvent[] : CompletionEvent

/**
 * A `TransformStream` from the bytes (or text) of a streaming chat-completion response to typed
 * `CompletionEvent`s, in one stage: `response.body.pipeThrough(new ChatCompletionDecoderStream())`.
 * It wraps core's `createChatCompletionStreamParser` (SSE decoding, an unterminated last event
 * dispatched, `[DONE]`, the chunk fast path, limits), so events, errors and the final completion are
 * those of `streamChatCompletion` for the same bytes, however they are chunked.
 *
 * - `finalChatCompletion()` resolves when the writable side closes; it rejects with the stream's
 *   error (a `DeltafoldError` carrying `partial`, `eventNumber`, `byteOffset`) or, when the readable
 *   side is cancelled first, with a `DeltafoldError` (`aborted`) whose `cause` is the cancel reason.
 *   Called while nobody reads the readable side, it reads (and discards) the events itself.
 * - `snapshot()` returns the completion so far at any time, also after an error or a cancel.
 * - Bytes after `data: [DONE]` are ignored. Events decoded before an error are delivered first.
 * - Backpressure: a write resolves once the events it produced have been read; cancelling the
 *   readable side errors the writable side, so a pipe into it cancels its source with the reason.
 * - `signal`: aborting errors both sides with `signal.reason` (given a non-enumerable `partial`).
 *
 * It has the `readable` and `writable` of a `TransformStream` (use it with `pipeThrough`), built
 * directly over one `WritableStream` and one pull-based `ReadableStream`: a `TransformStream` with a
 * wrapper to observe cancel (the transformer's cancel hook is missing in browsers) cost two queues
 * per event, and a module-level `class … extends TransformStream` cannot be tree-shaken.
 *
 * @param options - accumulator options (`onEvent`, `limits`, `strict`, `parseArguments`, `chunkEvents`), `maxEventBytes`, `fastPath`, `signal`
 * @example
 * ```ts
 * import { ChatCompletionDecoderStream } from '@deltafold/web'
 * const body = new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!
 * const decoder = new ChatCompletionDecoderStream()
 * for await (const event of body.pipeThrough(decoder)) if (event.type === 'content.delta') console.log(event.delta) // 'Hi'
 * const completion = await decoder.finalChatCompletion()
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 */
export class ChatCompletionDecoderStream<Batch extends boolean = false> implements TransformStream<Uint8Array | string, ChatCompletionDecoderStreamOutput<Batch>> {
  /** The typed events (arrays of them with `batch: true`); async-iterable in every runtime. */
  readonly readable: ReadableStream<ChatCompletionDecoderStreamOutput<Batch>> & AsyncIterable<ChatCompletionDecoderStreamOutput<Batch>>
  /** The response bytes (or text). */
  readonly writable: WritableStream<Uint8Array | string>
  readonly #state: DecoderState

  constructor(options: ChatCompletionDecoderStreamOptions<Batch> = {}) {
    const state = new DecoderState(options)
    this.#state = state
    this.readable = ensureAsyncIterable(
      new ReadableStream<ChatCompletionDecoderStreamOutput<Batch>>(
        {
          start: (c) => void (state.out = c as ReadableStreamDefaultController<unknown>),
          pull: () => state.pulled(),
          cancel: (reason) => state.cancel(reason),
        },
        // Nothing is decoded ahead of the consumer: pull() runs only for a pending read.
        { highWaterMark: 0 },
      ),
    )
    this.writable = new WritableStream<Uint8Array | string>({
      start: (c) => void (state.in = c),
      write: (chunk) => state.write(chunk),
      close: () => state.close(),
      abort: (reason) => state.fail(reason),
    })
  }

  /**
   * Resolves with the final `chat.completion` once the writable side closes.
   * @example
   * ```ts
   * import { ChatCompletionDecoderStream } from '@deltafold/web'
   * const decoder = new ChatCompletionDecoderStream()
   * void new Response('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n').body!.pipeTo(decoder.writable)
   * const completion = await decoder.finalChatCompletion() // reads the events nobody reads
   * console.log(completion.choices[0]?.message.content) // 'Hi'
   * ```
   */
  finalChatCompletion(): Promise<ChatCompletion> {
    if (!this.readable.locked) void drain(this.readable.getReader())
    return this.#state.final
  }

  /**
   * The completion so far: a fresh copy, available at any time, also after an error. Never throws.
   * @example
   * ```ts
   * import { ChatCompletionDecoderStream } from '@deltafold/web'
   * new ChatCompletionDecoderStream().snapshot().choices // []
   * ```
   */
  snapshot(): ChatCompletion {
    return this.#state.parser.snapshot()
  }
}

/** Reads and discards the events nobody reads, so that the final completion can settle. */
async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
  try {
    while (!(await reader.read()).done) {
      // The events are not wanted, only the completion.
    }
  } catch {
    // Reported through finalChatCompletion().
  } finally {
    reader.releaseLock()
  }
}

const NONE: unique symbol = Symbol('none')

/**
 * One decoder stream's state, shared by the two sides' callbacks. A class: one object per stream
 * with a fixed shape, methods on the prototype.
 */
class DecoderState {
  readonly parser: ChatCompletionStreamParser
  readonly final: Promise<ChatCompletion>
  out!: ReadableStreamDefaultController<unknown>
  in!: WritableStreamDefaultController
  // Events decoded from the current write, not yet enqueued (handed over whole with `batch`).
  queue: CompletionEvent[] = []
  // The final completion is settled: nothing more is decoded or enqueued.
  settled = false
  // An error to raise on the readable side once the events before it are read.
  pending: unknown = NONE
  // Resolves the write waiting for the consumer to read what it produced.
  wake: (() => void) | undefined = undefined
  resolve!: (completion: ChatCompletion) => void
  reject!: (reason: unknown) => void
  readonly signal: AbortSignal | undefined
  readonly batch: boolean
  readonly onAbort: (() => void) | undefined

  constructor(options: ChatCompletionDecoderStreamOptions) {
    const userOnEvent = options.onEvent
    this.parser = createChatCompletionStreamParser({
      ...options,
      onEvent: userOnEvent
        ? (event) => {
            this.queue.push(event)
            userOnEvent(event)
          }
        : (event) => void this.queue.push(event),
    })
    this.final = new Promise<ChatCompletion>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    // Nobody may be waiting for the final completion: no unhandled rejection for it.
    this.final.catch(() => {})
    this.batch = options.batch === true
    this.signal = options.signal
    if (this.signal) {
      this.onAbort = () => this.abort()
      if (this.signal.aborted) queueMicrotask(this.onAbort)
      else this.signal.addEventListener('abort', this.onAbort, { once: true })
    }
  }

  write(chunk: Uint8Array | string): Promise<void> | void {
    if (this.settled) return
    try {
      this.parser.feed(chunk)
    } catch (error) {
      this.fail(error)
      throw this.pending
    }
    // `[DONE]`: the completion ends here, later bytes are ignored.
    if (this.parser.sawDone) return this.close()
    this.flush()
    // Backpressure: the next write waits until the consumer has read these events.
    if (this.out.desiredSize! < 0) return new Promise<void>((resolve) => (this.wake = resolve))
  }

  close(): void {
    if (this.settled) return
    let completion: ChatCompletion
    try {
      completion = this.parser.end()
    } catch (error) {
      this.fail(error)
      throw this.pending
    }
    this.settle()
    this.resolve(completion)
    this.flush()
    this.out.close()
  }

  /** The consumer wants more: release the write waiting for it, or raise the pending error. */
  pulled(): void {
    if (this.pending !== NONE) this.out.error(this.pending)
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /** The decoder or the source failed: events decoded before the error are read first. */
  fail(error: unknown): void {
    if (this.settled) return
    this.settle()
    this.pending = withPartial(error, this.parser.snapshot)
    this.reject(this.pending)
    this.flush()
    if (this.out.desiredSize === 0) this.out.error(this.pending)
  }

  /** `signal` fired: both sides error with its reason at once, queued events dropped. */
  abort(): void {
    if (this.settled) return
    this.settle()
    const reason = withPartial(this.signal!.reason, this.parser.snapshot)
    this.reject(reason)
    this.queue.length = 0
    this.out.error(reason)
    this.in.error(reason)
    this.pulled()
  }

  cancel(reason: unknown): void {
    this.queue.length = 0
    if (!this.settled) {
      this.settle()
      this.reject(
        new DeltafoldError('aborted', 'The events stream was cancelled before the completion ended', {
          cause: reason,
          partial: this.parser.snapshot(),
        }),
      )
    }
    // Errors the writable side with `reason`, so a pipe into it cancels its source.
    this.in.error(reason)
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  settle(): void {
    this.settled = true
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort)
  }

  /** Hands the decoded events to the readable side, in order. */
  flush(): void {
    const queue = this.queue
    if (queue.length === 0) return
    if (this.batch) {
      this.out.enqueue(queue)
      this.queue = []
      return
    }
    for (let i = 0; i < queue.length; i++) this.out.enqueue(queue[i]!)
    queue.length = 0
  }
}
