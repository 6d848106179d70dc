import { encodeSSE } from './encode-sse.js'
import { stringifyJSON } from '../json/stringify-json.js'
import { splitChatCompletion, type SplitChatCompletionOptions } from './split-chat-completion.js'
import type { ChatCompletion } from '../chat/types.js'

/** Options of {@link toSSEStream} and {@link toSSEText}. */
export interface ToSSEStreamOptions extends SplitChatCompletionOptions {
  /** End with `data: [DONE]`, as OpenAI does. @defaultValue true */
  done?: boolean
}

const DONE_EVENT = 'data: [DONE]\n\n'

/**
 * Streams a `chat.completion` as the Server-Sent Events body an OpenAI-compatible server would send:
 * one `data: {chunk}` event per chunk of {@link splitChatCompletion}, then `data: [DONE]`. The chunks
 * are computed at the call (so bad input throws here); each read encodes the next event as UTF-8.
 * Reading it with `accumulateChatCompletion` gives back a completion equal to `completion`.
 *
 * @param completion - the completion to stream
 * @param options - `fragmentSize`, `usage` (see {@link SplitChatCompletionOptions}) and `done`
 * @returns A byte stream, one event per read
 * @example
 * ```ts
 * import { accumulateChatCompletion, toSSEStream } from '@deltafold/core'
 * const completion = {
 *   id: 'c1', object: 'chat.completion' as const, created: 1, model: 'm',
 *   choices: [{ index: 0, message: { role: 'assistant' as const, content: 'Hello!', refusal: null }, finish_reason: 'stop' as const, logprobs: null }],
 * }
 * const body = toSSEStream(completion, { fragmentSize: { max: 4, seed: 7 } })
 * // new Response(body, { headers: { 'content-type': 'text/event-stream' } }) serves it
 * await accumulateChatCompletion(body) // deep-equals completion
 * ```
 */
export function toSSEStream(completion: ChatCompletion, options: ToSSEStreamOptions = {}): ReadableStream<Uint8Array> {
  const chunks = splitChatCompletion(completion, options)
  const done = options.done !== false
  const encoder = new TextEncoder()
  // Index of the next chunk to send; chunks.length means the [DONE] event is next.
  let next = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) {
        controller.enqueue(encoder.encode(encodeSSE({ data: stringifyJSON(chunks[next++]) })))
        return
      }
      if (done) controller.enqueue(encoder.encode(DONE_EVENT))
      controller.close()
    },
  })
}

/**
 * The text of {@link toSSEStream}, all at once: the events of every chunk, then `data: [DONE]`.
 *
 * @param completion - the completion to stream
 * @param options - `fragmentSize`, `usage` and `done`
 * @returns The whole `text/event-stream` body
 * @example
 * ```ts
 * import { toSSEText } from '@deltafold/core'
 * const completion = {
 *   id: 'c1', object: 'chat.completion' as const, created: 1, model: 'm',
 *   choices: [{ index: 0, message: { role: 'assistant' as const, content: 'Hi', refusal: null }, finish_reason: 'stop' as const, logprobs: null }],
 * }
 * toSSEText(completion).endsWith('data: [DONE]\n\n') // true
 * ```
 */
export function toSSEText(completion: ChatCompletion, options: ToSSEStreamOptions = {}): string {
  const chunks = splitChatCompletion(completion, options)
  const parts: string[] = []
  for (const chunk of chunks) parts.push(encodeSSE({ data: stringifyJSON(chunk) }))
  if (options.done !== false) parts.push(DONE_EVENT)
  return parts.join('')
}
