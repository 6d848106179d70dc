import {
  createAnthropicMessageAccumulator,
  createResponseAccumulator,
  createSSEDecoder,
  detectWireFormat,
  type AnthropicMessageAccumulator,
  type ResponseAccumulator,
  type ServerSentEvent,
  type WireFormat,
} from '@deltafold/core'

/**
 * `--native`: the input's own final object (an Anthropic `Message`, a Responses `Response`) folded
 * beside the chat pipeline from the same bytes, as they pass: nothing is held but the object.
 */
export interface NativeFold {
  /** Feeds the next piece of the input (the chat pipeline gets the same piece). */
  feed(chunk: Uint8Array | string): void
  /** The input's wire format once an event told it (or the one `--format` forced). */
  readonly format: WireFormat | undefined
  /**
   * The format's final object; `undefined` for a chat stream (its own object is the chat.completion)
   * or input without events. Throws the fold's typed error.
   */
  finish(): object | undefined
  /** The object so far (after an error too), or `undefined` as for `finish`. */
  snapshot(): object | undefined
}

/**
 * Creates the native fold. `forced` is `--format` when it names a format; else the first event that
 * tells decides (core's `detectWireFormat`, as `format: 'auto'` does in the chat pipeline).
 */
export function createNativeFold(forced: WireFormat | undefined): NativeFold {
  let format = forced
  let acc: AnthropicMessageAccumulator | ResponseAccumulator | undefined
  // The first error of the fold: it stops feeding; finish() throws it.
  let failure: unknown
  let failed = false

  function start(which: WireFormat): void {
    format = which
    if (which === 'anthropic') acc = createAnthropicMessageAccumulator()
    else if (which === 'responses') acc = createResponseAccumulator()
  }
  if (forced !== undefined) start(forced)

  function onEvent(event: ServerSentEvent): void {
    if (format === undefined) {
      const found = detectWireFormat(event)
      if (found === undefined) return
      start(found)
    }
    if (acc === undefined) return
    const data = event.data
    if (data === '' || data.trim() === '[DONE]') return
    let value: unknown
    try {
      value = JSON.parse(data)
    } catch {
      // The chat pipeline reports the bad event, with its position.
      return
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return
    const object = value as Record<string, unknown>
    // Responses events sent without a `type` take the SSE event name (as core's stream entry points do).
    if (typeof object.type !== 'string' && event.type !== 'message') object.type = event.type
    acc.push(object)
  }

  const decoder = createSSEDecoder({ onEvent }, { dispatchUnterminated: true })
  return {
    feed(chunk) {
      if (failed) return
      try {
        decoder.feed(chunk)
      } catch (error) {
        failed = true
        failure = error
      }
    },
    get format() {
      return format
    },
    finish() {
      if (!failed) {
        try {
          decoder.end()
        } catch (error) {
          failed = true
          failure = error
        }
      }
      if (failed) throw failure
      return acc?.finish()
    },
    snapshot() {
      return acc?.snapshot()
    },
  }
}

/**
 * The source with each piece also fed to `fold`, as it passes.
 *
 * @param source - the input
 * @param fold - the native fold
 */
export async function* feedingNative(source: AsyncIterable<Uint8Array | string>, fold: NativeFold): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    fold.feed(chunk)
    yield chunk
  }
}
