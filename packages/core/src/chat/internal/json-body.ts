import { type DeltafoldError, ProviderError } from '../../errors.js'
import { notEventStream } from '../../source/input-head.js'

/**
 * What a body that is one JSON value (instead of an event stream) stands for: the chunk that a
 * one-chunk stream of the same completion would carry, or the error to raise.
 */
export type JSONBodyResult = { kind: 'completion'; chunk: Record<string, unknown> } | { kind: 'error'; error: DeltafoldError }

/**
 * Classifies a whole body that starts with `{` or `[`. The shapes providers use for HTTP error
 * bodies become a {@link ProviderError} (`upstream_error`): `{"error": …}` (OpenAI, Groq, Mistral:
 * an object; some proxies: a string), `{"detail": …}` (FastAPI servers such as vLLM), `{"message": …}`
 * (Bedrock-style gateways), and an array of such (Google's `[{"error": …}]`). A complete
 * `chat.completion` (a request sent without `"stream": true`) becomes the equivalent chunk: each
 * `message` is the `delta`, tool calls get their `index`. Anything else is `not_event_stream`.
 *
 * @param text - the whole body, decoded
 * @param head - its first bytes or characters, for the message
 */
export function classifyJSONBody(text: string, head: Uint8Array | string): JSONBodyResult {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    return { kind: 'error', error: notEventStream(head, 'the body looks like JSON but does not parse', cause) }
  }
  const error = providerError(value)
  if (error !== undefined) {
    return {
      kind: 'error',
      error: new ProviderError('upstream_error', `The provider sent an error instead of an event stream: ${messageOf(error)}`, error, {
        eventNumber: 0,
        byteOffset: 0,
      }),
    }
  }
  if (isObject(value) && Array.isArray(value.choices) && (value.object === 'chat.completion' || value.choices.some(hasMessage))) {
    return { kind: 'completion', chunk: completionToChunk(value) }
  }
  return { kind: 'error', error: notEventStream(head, 'the body is JSON but neither a chat.completion nor a provider error') }
}

/** The error value of a provider error body, or undefined when the value is not one. */
function providerError(value: unknown): unknown {
  if (Array.isArray(value)) {
    // Google answers `[{"error": {…}}]`: an array whose entries are all error bodies.
    if (value.length === 0 || !value.every((entry) => providerError(entry) !== undefined)) return undefined
    return value.length === 1 ? providerError(value[0]) : value
  }
  if (!isObject(value) || Array.isArray(value.choices)) return undefined
  if (value.error !== undefined && value.error !== null) return value.error
  if (value.detail !== undefined && value.detail !== null) return value
  if (typeof value.message === 'string') return value
  return undefined
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error
  if (Array.isArray(error)) return error.map(messageOf).join('; ')
  if (isObject(error)) {
    if (typeof error.message === 'string') return error.message
    if (isObject(error.error)) return messageOf(error.error)
    if (typeof error.error === 'string') return error.error
    if (typeof error.detail === 'string') return error.detail
    if (error.detail !== undefined) return clipped(JSON.stringify(error.detail))
  }
  return clipped(JSON.stringify(error) ?? String(error))
}

function clipped(text: string): string {
  return text.length > 200 ? text.slice(0, 200) + '…' : text
}

function hasMessage(choice: unknown): boolean {
  return isObject(choice) && isObject(choice.message)
}

/**
 * The chunk a one-chunk stream of `completion` would carry: the same top-level fields (`object`
 * renamed), each choice's `message` as its `delta`, tool calls numbered by their position. Values
 * are passed through as they are: the accumulator validates them as it does any chunk.
 */
function completionToChunk(completion: Record<string, unknown>): Record<string, unknown> {
  const chunk: Record<string, unknown> = {}
  for (const key of Object.keys(completion)) {
    if (key === 'choices' || key === '__proto__') continue
    chunk[key] = key === 'object' ? 'chat.completion.chunk' : completion[key]
  }
  chunk.choices = (completion.choices as unknown[]).map((choice) => {
    if (!isObject(choice) || !isObject(choice.message)) return choice
    const { message, ...rest } = choice
    const delta: Record<string, unknown> = {}
    for (const key of Object.keys(message)) {
      if (key === '__proto__') continue
      const field = message[key]
      delta[key] =
        key === 'tool_calls' && Array.isArray(field)
          ? field.map((call, index) => (isObject(call) && call.index === undefined ? { index, ...call } : call))
          : field
    }
    return { ...rest, delta }
  })
  return chunk
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
