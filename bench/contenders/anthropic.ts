/**
 * The Anthropic Messages contenders: deltafold's fold, and @anthropic-ai/sdk's `MessageStream` (the
 * pinned devDependency) on a real client whose `fetch` answers with the prepared body:
 * `client.messages.stream(params)` → `Stream.fromSSEResponse` (its LineDecoder and SSE decoder,
 * `JSON.parse`) → `MessageStream#accumulateMessage` → `finalMessage()`. Reading the partial tool input
 * after every delta is the SDK's `inputJson` listener, whose snapshot re-parses the whole buffer.
 */
import Anthropic from '@anthropic-ai/sdk'
import { accumulateAnthropicMessage, type AnthropicMessage } from '@deltafold/core'
import { toReadableStream, toResponse } from './readable.js'

/** What a partial-reading run returns: the message, how many partial values were read, and the last one. */
export interface AnthropicPartialRun {
  message: unknown
  reads: number
  last: unknown
}

/** deltafold: `accumulateAnthropicMessage(response.body)`. */
export function deltafoldAnthropic(chunks: readonly Uint8Array[]): Promise<AnthropicMessage> {
  return accumulateAnthropicMessage(toReadableStream(chunks))
}

/** deltafold with `parseInput: true`, reading `event.partial` after every `input_json_delta`. */
export async function deltafoldAnthropicPartial(chunks: readonly Uint8Array[]): Promise<AnthropicPartialRun> {
  let reads = 0
  let last: unknown
  const message = await accumulateAnthropicMessage(toReadableStream(chunks), {
    parseInput: true,
    onEvent(event) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        reads++
        last = event.partial
      }
    },
  })
  return { message, reads, last }
}

/** An SDK client whose every request answers with the prepared body. */
export function createAnthropicClient(): { client: Anthropic; setBody(chunks: readonly Uint8Array[]): void } {
  let body: readonly Uint8Array[] = []
  const client = new Anthropic({
    apiKey: 'sk-ant-bench',
    baseURL: 'http://127.0.0.1:9',
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

const PARAMS = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'hi' }] }

/** The SDK user's path: `messages.stream(…).finalMessage()`. */
export function sdkFinalMessage(client: Anthropic): Promise<unknown> {
  return client.messages.stream(PARAMS).finalMessage()
}

/** The SDK with an `inputJson` listener: the partial input snapshot after every delta. */
export async function sdkPartial(client: Anthropic): Promise<AnthropicPartialRun> {
  let reads = 0
  let last: unknown
  const stream = client.messages.stream(PARAMS).on('inputJson', (_delta, snapshot) => {
    reads++
    last = snapshot
  })
  const message = await stream.finalMessage()
  return { message, reads, last }
}
