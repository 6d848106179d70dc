import { encodeSSE, type SSEEventInit } from '@deltafold/core'

/** What {@link SSEEncoderStream} writes for each `output` option. */
export interface SSEEncoderOutput {
  text: string
  bytes: Uint8Array
}

/** Options of {@link SSEEncoderStream}. */
export interface SSEEncoderStreamOptions<Output extends keyof SSEEncoderOutput = 'text'> {
  /** `'text'` writes each event as a string, `'bytes'` as UTF-8 bytes (for a `Response` body). @defaultValue 'text' */
  output?: Output
}

/**
 * A `TransformStream` from event objects to Server-Sent Events text (or UTF-8 bytes), one event per
 * chunk, wrapping core's `encodeSSE`: multi-line data split into `data:` lines, a leading space kept,
 * the event ended by a blank line. An event that cannot be written faithfully (a line break in `type`
 * or `id`, NUL in `id`, a bad `retry`) errors both sides with a `DeltafoldError` (`invalid_event`).
 *
 * @param options - `output`: `'text'` (default) or `'bytes'`
 * @example
 * ```ts
 * import type { SSEEventInit } from '@deltafold/core'
 * import { SSEEncoderStream } from '@deltafold/web'
 * const events = new ReadableStream<SSEEventInit>({
 *   start(controller) {
 *     controller.enqueue({ data: 'hello' })
 *     controller.enqueue({ data: '{"n":1}', type: 'update', id: '2' })
 *     controller.close()
 *   },
 * })
 * const body = events.pipeThrough(new SSEEncoderStream({ output: 'bytes' }))
 * new Response(body, { headers: { 'content-type': 'text/event-stream' } })
 * // 'data: hello\n\n' then 'event: update\nid: 2\ndata: {"n":1}\n\n'
 * ```
 */
export class SSEEncoderStream<Output extends keyof SSEEncoderOutput = 'text'> extends TransformStream<
  SSEEventInit,
  SSEEncoderOutput[Output]
> {
  constructor(options: SSEEncoderStreamOptions<Output> = {}) {
    const output = options.output ?? 'text'
    if (output !== 'text' && output !== 'bytes') {
      throw new TypeError(`SSEEncoderStream output must be 'text' or 'bytes', got ${JSON.stringify(output)}`)
    }
    const encoder = output === 'bytes' ? new TextEncoder() : undefined
    super({
      transform(event, controller) {
        const text = encodeSSE(event)
        controller.enqueue((encoder ? encoder.encode(text) : text) as SSEEncoderOutput[Output])
      },
    })
  }
}
