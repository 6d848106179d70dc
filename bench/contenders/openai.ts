/**
 * openai 6.30.1 (7.x needs Node 22). Two entry points:
 *
 * - `client.chat.completions.stream(params).finalChatCompletion()` on a real `OpenAI` client whose
 *   `fetch` returns the prepared body: `ChatCompletionStream.createChatCompletion` →
 *   `client.chat.completions.create({ stream: true })` → `Stream.fromSSEResponse` (its LineDecoder and
 *   SSEDecoder, `JSON.parse`) → `ChatCompletionStream#addChunk` (accumulation and events) →
 *   `finalizeChatCompletion`. This is exactly what an SDK user runs; the request building costs the
 *   same tens of microseconds per iteration whatever the workload.
 * - `Stream.fromSSEResponse(response, controller)` (from `openai/streaming`) iterated, with the hand
 *   accumulation: the SDK's decoding alone.
 */
import OpenAI from 'openai'
import type { ChatCompletionStreamParams } from 'openai/lib/ChatCompletionStream'
import { Stream } from 'openai/streaming'
import { createHandAccumulator, type HandCompletion, type LooseChunk } from './hand-accumulator.js'
import { toResponse } from './readable.js'

/** An SDK client whose every request answers with the next prepared body. */
export function createOpenAIClient(): { client: OpenAI; setBody(chunks: readonly Uint8Array[]): void } {
  let body: readonly Uint8Array[] = []
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    fetch: async () => toResponse(body),
  })
  return {
    client,
    setBody(chunks) {
      body = chunks
    },
  }
}

/** Tool definitions for the tool workloads; `strict: true` makes the SDK parse arguments on every delta. */
export type OpenAITools = OpenAI.Chat.Completions.ChatCompletionTool[]

/**
 * The SDK user's path: `chat.completions.stream(…).finalChatCompletion()`.
 * @param client - from {@link createOpenAIClient}, with the body set
 * @param tools - tools to declare in the request (strict ones are partially parsed by the SDK)
 */
export async function openaiChatCompletionStream(client: OpenAI, tools?: OpenAITools): Promise<unknown> {
  const params: ChatCompletionStreamParams = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }
  if (tools) params.tools = tools
  return client.chat.completions.stream(params).finalChatCompletion()
}

/** The SDK's decoding alone: `Stream.fromSSEResponse` iterated, with the hand accumulation. */
export async function openaiStreamDecode(chunks: readonly Uint8Array[]): Promise<HandCompletion> {
  const accumulator = createHandAccumulator()
  const stream = Stream.fromSSEResponse<LooseChunk>(toResponse(chunks), new AbortController())
  for await (const chunk of stream) accumulator.push(chunk)
  return accumulator.result()
}

/**
 * An SDK client whose requests answer, in order, with the given responses (for many requests in
 * flight at once, where one shared body would race).
 */
export function createQueuedOpenAIClient(): { client: OpenAI; enqueue(response: Response): void } {
  const queue: Response[] = []
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    fetch: async () => {
      const response = queue.shift()
      if (!response) throw new Error('No prepared response left')
      return response
    },
  })
  return { client, enqueue: (response) => queue.push(response) }
}
