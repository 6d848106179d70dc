import type { ChatCompletion, ChatCompletionMessage, ChatCompletionMessageToolCall } from '../chat/types.js'
import { chatFinishReason, chatUsage, REASONING_FORMAT } from './internal/chat-mapping.js'
import type { AnthropicMessage } from './types.js'

/** Options of {@link anthropicMessageToChatCompletion}. */
export interface AnthropicToChatOptions {
  /** The completion's `created` (Unix seconds); Anthropic messages carry no timestamp. @defaultValue now */
  created?: number
}

/**
 * Maps a final Anthropic `Message` to the `chat.completion` an OpenAI-compatible gateway would serve
 * for it, the same completion the chunks of {@link createAnthropicChatChunkTranslator} fold into:
 *
 * - text blocks → `content` (joined, `null` when there is no text); citations are dropped;
 * - thinking → `reasoning_content`, and each thinking block → a `reasoning_details` entry
 *   `{ type: 'reasoning.text', text, signature, index, format: 'anthropic-claude-v1' }` (OpenRouter's
 *   shape, `index` = the block's index), so a client can send thinking and signature back;
 *   `redacted_thinking` → `{ type: 'reasoning.encrypted', data, index, format }`;
 * - `tool_use` → `tool_calls` (`id` = tool_use id, `arguments` = `JSON.stringify(input)`; the streamed
 *   translation passes the model's JSON text, which may differ in whitespace); server tools
 *   (`server_tool_use`, `mcp_tool_use`) and their result blocks ran at Anthropic and are not tool calls
 *   the client should run: they are dropped, as are compaction and fallback blocks;
 * - `stop_reason` → `finish_reason` (`end_turn`/`stop_sequence`/`pause_turn` → `stop`, `max_tokens` →
 *   `length`, `tool_use` → `tool_calls`, `refusal` → `content_filter`); `stop_sequence` is dropped;
 * - usage: `prompt_tokens` = input + cache creation + cache read, `completion_tokens` = output,
 *   `prompt_tokens_details.cached_tokens` = cache read, `completion_tokens_details.reasoning_tokens` =
 *   thinking tokens when reported;
 * - `id` and `model` as they are.
 *
 * @param message - a final (or partial) Anthropic message
 * @param options - `created`
 * @example
 * ```ts
 * import { anthropicMessageToChatCompletion } from '@deltafold/core'
 * const completion = anthropicMessageToChatCompletion({
 *   id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', stop_reason: 'end_turn', stop_sequence: null,
 *   content: [{ type: 'text', text: 'Hi' }], usage: { input_tokens: 3, output_tokens: 1 },
 * })
 * completion.choices[0]?.message.content // 'Hi'
 * ```
 */
export function anthropicMessageToChatCompletion(message: AnthropicMessage, options: AnthropicToChatOptions = {}): ChatCompletion {
  const texts: string[] = []
  const thinking: string[] = []
  const details: Array<Record<string, unknown>> = []
  const toolCalls: ChatCompletionMessageToolCall[] = []
  const content = Array.isArray(message.content) ? message.content : []
  content.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        texts.push(block.text)
        break
      case 'thinking': {
        thinking.push(block.thinking)
        const detail: Record<string, unknown> = { type: 'reasoning.text', text: block.thinking, index, format: REASONING_FORMAT }
        if (typeof block.signature === 'string' && block.signature !== '') detail.signature = block.signature
        details.push(detail)
        break
      }
      case 'redacted_thinking':
        details.push({ type: 'reasoning.encrypted', data: block.data, index, format: REASONING_FORMAT })
        break
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } })
        break
      default:
      // Server tools, their results, compaction and fallback blocks have no chat equivalent.
    }
  })
  const text = texts.join('')
  const reasoning = thinking.join('')
  const chatMessage: ChatCompletionMessage = { role: 'assistant', content: text === '' ? null : text, refusal: null }
  if (reasoning !== '') chatMessage.reasoning_content = reasoning
  if (details.length > 0) chatMessage.reasoning_details = details
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls
  return {
    id: message.id,
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: message.model,
    choices: [{ index: 0, message: chatMessage, finish_reason: chatFinishReason(message.stop_reason), logprobs: null }],
    usage: chatUsage(message.usage),
  }
}
