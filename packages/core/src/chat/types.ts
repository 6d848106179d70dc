/**
 * The OpenAI chat-completion shapes deltafold reads and writes, defined here so that core has no
 * dependencies. They mirror the `openai` package's types of the same names (checked by a type-level
 * test). Provider extras (`reasoning_content`, `x_groq`, `content_filter_results` …) are kept at run
 * time; the few that deltafold interprets are typed as optional fields.
 */

/** Why a choice stopped. Providers send other strings too; those pass through unchanged. */
export type ChatCompletionFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

/** The processing tier of the request. */
export type ChatCompletionServiceTier = 'auto' | 'default' | 'flex' | 'scale' | 'priority'

/** Token counts. deltafold merges usage field by field: the latest non-null value of each field wins. */
export interface CompletionUsage {
  completion_tokens: number
  prompt_tokens: number
  total_tokens: number
  completion_tokens_details?: {
    accepted_prediction_tokens?: number
    audio_tokens?: number
    reasoning_tokens?: number
    rejected_prediction_tokens?: number
  }
  prompt_tokens_details?: {
    audio_tokens?: number
    cached_tokens?: number
  }
}

/** One token's log probability. */
export interface ChatCompletionTokenLogprob {
  token: string
  bytes: Array<number> | null
  logprob: number
  top_logprobs: Array<{ token: string; bytes: Array<number> | null; logprob: number }>
}

/** Log probabilities of a choice: content tokens and refusal tokens, appended across chunks. */
export interface ChatCompletionChoiceLogprobs {
  content: Array<ChatCompletionTokenLogprob> | null
  refusal: Array<ChatCompletionTokenLogprob> | null
}

/** A tool call fragment inside a chunk's delta. */
export interface ChatCompletionChunkToolCall {
  index: number
  id?: string
  type?: 'function'
  function?: { arguments?: string; name?: string }
}

/** The delta of one choice in one chunk. */
export interface ChatCompletionChunkDelta {
  content?: string | null
  refusal?: string | null
  role?: 'developer' | 'system' | 'user' | 'assistant' | 'tool'
  tool_calls?: Array<ChatCompletionChunkToolCall>
  function_call?: { arguments?: string; name?: string }
}

/** One choice of a chunk. */
export interface ChatCompletionChunkChoice {
  delta: ChatCompletionChunkDelta
  finish_reason: ChatCompletionFinishReason | null
  index: number
  logprobs?: ChatCompletionChoiceLogprobs | null
}

/** One `chat.completion.chunk` as an OpenAI-compatible server streams it. */
export interface ChatCompletionChunk {
  id: string
  choices: Array<ChatCompletionChunkChoice>
  created: number
  model: string
  object: 'chat.completion.chunk'
  service_tier?: ChatCompletionServiceTier | null
  system_fingerprint?: string
  usage?: CompletionUsage | null
}

/** A finished function tool call of the final message. Provider extras (`extra_content` …) are kept on it. */
export interface ChatCompletionMessageFunctionToolCall {
  id: string
  type: 'function'
  function: { arguments: string; name: string }
}

/**
 * A custom (free-form input) tool call. Streams never produce one (chunk tool calls are function
 * calls); it is part of the union so that a non-streaming `openai` completion is assignable to ours.
 */
export interface ChatCompletionMessageCustomToolCall {
  id: string
  type: 'custom'
  custom: { input: string; name: string }
}

/**
 * A tool call of the final message: in a streamed completion always a
 * {@link ChatCompletionMessageFunctionToolCall}; narrow on `type === 'function'` to read `function`.
 */
export type ChatCompletionMessageToolCall = ChatCompletionMessageFunctionToolCall | ChatCompletionMessageCustomToolCall

/** The assistant message of a choice. */
export interface ChatCompletionMessage {
  content: string | null
  refusal: string | null
  role: 'assistant'
  tool_calls?: Array<ChatCompletionMessageToolCall>
  function_call?: { arguments: string; name: string } | null
  /** Reasoning text, when the provider streamed it as `reasoning_content` (DeepSeek, Qwen, xAI …). */
  reasoning_content?: string
  /** Reasoning text, when the provider streamed it as `reasoning` (vLLM, Groq, Cerebras, OpenRouter). */
  reasoning?: string
  /** OpenRouter's structured reasoning, merged by `(type, index)`. */
  reasoning_details?: Array<Record<string, unknown>>
}

/** One choice of the final completion. `finish_reason` is `null` when the stream never sent one. */
export interface ChatCompletionChoice {
  finish_reason: ChatCompletionFinishReason | null
  index: number
  logprobs: ChatCompletionChoiceLogprobs | null
  message: ChatCompletionMessage
}

/** The final `chat.completion`, as a non-streaming request would have returned it. */
export interface ChatCompletion {
  id: string
  choices: Array<ChatCompletionChoice>
  created: number
  model: string
  object: 'chat.completion'
  service_tier?: ChatCompletionServiceTier | null
  system_fingerprint?: string
  usage?: CompletionUsage
}
