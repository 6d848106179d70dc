import type { ChatCompletionFinishReason, CompletionUsage } from '../../chat/types.js'
import { isPlainObject } from './json-values.js'

/** `reasoning_details[].format` of the entries made from Anthropic thinking (OpenRouter's name for it). */
export const REASONING_FORMAT = 'anthropic-claude-v1'

/**
 * The chat `finish_reason` of an Anthropic `stop_reason`. `pause_turn` (a server-tool loop paused; the
 * client sends the turn back to continue) has no chat equivalent and maps to `stop`;
 * `model_context_window_exceeded` to `length`. Other strings pass through unchanged.
 */
export function chatFinishReason(stopReason: unknown): ChatCompletionFinishReason | null {
  switch (stopReason) {
    case null:
    case undefined:
      return null
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop'
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      return typeof stopReason === 'string' ? (stopReason as ChatCompletionFinishReason) : null
  }
}

/**
 * The chat usage of an Anthropic usage: `prompt_tokens` = input + cache creation + cache read (Anthropic
 * counts them apart, chat counts them all as prompt), `completion_tokens` = output,
 * `prompt_tokens_details.cached_tokens` = cache read (when the stream reports it),
 * `completion_tokens_details.reasoning_tokens` = `output_tokens_details.thinking_tokens` (when reported).
 */
export function chatUsage(usage: unknown): CompletionUsage {
  const u = isPlainObject(usage) ? usage : {}
  const input = count(u.input_tokens)
  const cacheCreation = count(u.cache_creation_input_tokens)
  const cacheRead = count(u.cache_read_input_tokens)
  const output = count(u.output_tokens)
  const prompt = input + cacheCreation + cacheRead
  const out: CompletionUsage = { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output }
  if (typeof u.cache_read_input_tokens === 'number') out.prompt_tokens_details = { cached_tokens: cacheRead }
  const details = u.output_tokens_details
  if (isPlainObject(details) && typeof details.thinking_tokens === 'number') {
    out.completion_tokens_details = { reasoning_tokens: details.thinking_tokens }
  }
  return out
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}
