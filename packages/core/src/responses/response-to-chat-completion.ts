import type { ChatCompletion, ChatCompletionFinishReason, ChatCompletionMessageToolCall, CompletionUsage } from '../chat/types.js'
import type { Response, ResponseUsage } from './types.js'

/** Separator between reasoning parts (summary parts, reasoning texts) joined into `reasoning_content`. */
export const REASONING_SEPARATOR = '\n\n'

/**
 * The `chat.completion` a gateway would serve for a Responses API response: every non-empty `output_text` part
 * joined (as the openai SDK's `output_text`) → `content`, refusal parts → `refusal`, reasoning summary
 * and reasoning text parts joined with a blank line → `reasoning_content`, function calls → function
 * `tool_calls` (`id` = `call_id`), custom tool calls → `{ type: 'custom', custom: { name, input } }`,
 * status → `finish_reason` (`completed` → `stop`, or `tool_calls` when it called tools; `incomplete`
 * → `length`, or `content_filter` for that reason; otherwise `null`), usage renamed (`input_tokens` →
 * `prompt_tokens`, `output_tokens` → `completion_tokens`, cached and reasoning token details), `id`,
 * `model`, `created_at` → `created`. Server-side tool items (searches, code interpreter …) have no
 * chat equivalent and are left out. Pure: the response is not modified.
 *
 * @param response - a final (or partial) Responses API response
 * @example
 * ```ts
 * import { responseToChatCompletion } from '@deltafold/core'
 * const completion = responseToChatCompletion({
 *   id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-4o', status: 'completed', error: null, incomplete_details: null,
 *   output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] }],
 * })
 * completion.choices[0]?.message.content // 'Hi'
 * ```
 */
export function responseToChatCompletion(response: Response): ChatCompletion {
  const content: string[] = []
  const refusal: string[] = []
  const reasoning: string[] = []
  const toolCalls: ChatCompletionMessageToolCall[] = []
  const output = Array.isArray(response.output) ? response.output : []
  for (const item of output as unknown as Array<Record<string, unknown>>) {
    if (typeof item !== 'object' || item === null) continue
    switch (item.type) {
      case 'message':
        for (const part of list(item.content)) {
          // Empty parts add nothing: `content` stays null when no text was produced, as in a chat stream.
          if (part.type === 'output_text' && typeof part.text === 'string' && part.text !== '') content.push(part.text)
          else if (part.type === 'refusal' && typeof part.refusal === 'string' && part.refusal !== '') refusal.push(part.refusal)
        }
        break
      case 'reasoning':
        for (const part of list(item.summary)) if (typeof part.text === 'string' && part.text !== '') reasoning.push(part.text)
        for (const part of list(item.content)) if (typeof part.text === 'string' && part.text !== '') reasoning.push(part.text)
        break
      case 'function_call':
        toolCalls.push({ id: str(item.call_id), type: 'function', function: { name: str(item.name), arguments: str(item.arguments) } })
        break
      case 'custom_tool_call':
        toolCalls.push({ id: str(item.call_id), type: 'custom', custom: { name: str(item.name), input: str(item.input) } })
        break
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: content.length > 0 ? content.join('') : null,
    refusal: refusal.length > 0 ? refusal.join('') : null,
  }
  if (reasoning.length > 0) message.reasoning_content = reasoning.join(REASONING_SEPARATOR)
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const completion: ChatCompletion = {
    id: str(response.id),
    object: 'chat.completion',
    created: typeof response.created_at === 'number' ? response.created_at : 0,
    model: str(response.model),
    choices: [{ index: 0, message, finish_reason: finishReasonOf(response, toolCalls.length > 0), logprobs: null }],
  }
  if (typeof response.service_tier === 'string') completion.service_tier = response.service_tier
  const usage = response.usage
  if (typeof usage === 'object' && usage !== null) completion.usage = chatUsageOf(usage)
  return completion
}

/** The chat `finish_reason` of a response's status (see {@link responseToChatCompletion}). */
export function finishReasonOf(
  response: Pick<Response, 'status' | 'incomplete_details'>,
  calledTools: boolean,
): ChatCompletionFinishReason | null {
  const status = response.status
  if (status === 'completed' || status === undefined) return calledTools ? 'tool_calls' : 'stop'
  if (status === 'incomplete') return response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length'
  return null
}

/** Responses usage → chat usage. */
export function chatUsageOf(usage: ResponseUsage | Partial<ResponseUsage>): CompletionUsage {
  const prompt = typeof usage.input_tokens === 'number' ? usage.input_tokens : 0
  const completion = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0
  const out: CompletionUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion,
  }
  const cached = usage.input_tokens_details?.cached_tokens
  if (typeof cached === 'number') out.prompt_tokens_details = { cached_tokens: cached }
  const reasoning = usage.output_tokens_details?.reasoning_tokens
  if (typeof reasoning === 'number') out.completion_tokens_details = { reasoning_tokens: reasoning }
  return out
}

function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Array<Record<string, unknown>>) : []
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
