/**
 * The OpenAI chat-completion shapes deltafold reads and writes, defined here so that core has no
 * dependencies. They mirror the `openai` package's types of the same names (openai 6 and 7, checked
 * by type tests in `test/types/`): an openai value is assignable to ours. Provider extras
 * (`reasoning_content`, `x_groq`, `content_filter_results` …) are kept at run time; the few that
 * deltafold interprets are typed as optional fields.
 *
 * Open unions: where providers send values outside OpenAI's list (`finish_reason: "eos"`,
 * `"model_length"`, `"error"`; `service_tier: "on_demand"`), the type is OpenAI's literals
 * `| (string & {})`: editors still suggest the literals, and the values that pass through at run time
 * are allowed by the type. The one cost: a `ChatCompletion` of ours is assignable to openai's only
 * after narrowing those fields (see the type tests).
 */

/**
 * Why a choice stopped: OpenAI's values, or any other string a provider sends (`eos`,
 * `model_length`, `error`, `end_turn` …), passed through unchanged.
 */
export type ChatCompletionFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | (string & {})

/** The processing tier of the request: OpenAI's values (`fast` since openai 7), or any other string a provider sends. */
export type ChatCompletionServiceTier = 'auto' | 'default' | 'flex' | 'scale' | 'priority' | 'fast' | (string & {})

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

/** A tool call fragment inside a chunk's delta: a function call's, or a custom call's (`custom.input` in fragments). */
export interface ChatCompletionChunkToolCall {
  index: number
  id?: string
  type?: 'function' | 'custom'
  function?: { arguments?: string; name?: string }
  custom?: { input?: string; name?: string }
}

/** A fragment of audio output in a chunk's delta: `data` and `transcript` arrive in pieces. */
export interface ChatCompletionChunkAudio {
  id?: string
  data?: string
  expires_at?: number
  transcript?: string
}

/** The delta of one choice in one chunk. */
export interface ChatCompletionChunkDelta {
  content?: string | null
  refusal?: string | null
  role?: 'developer' | 'system' | 'user' | 'assistant' | 'tool'
  tool_calls?: Array<ChatCompletionChunkToolCall>
  function_call?: { arguments?: string; name?: string }
  audio?: ChatCompletionChunkAudio
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
 * A custom (free-form input) tool call: OpenAI streams it like a function call, with `custom.name`
 * first and `custom.input` in fragments; it has no `function` member.
 */
export interface ChatCompletionMessageCustomToolCall {
  id: string
  type: 'custom'
  custom: { input: string; name: string }
}

/**
 * A tool call of the final message; narrow on `type === 'function'` to read `function`, on
 * `type === 'custom'` to read `custom`.
 */
export type ChatCompletionMessageToolCall = ChatCompletionMessageFunctionToolCall | ChatCompletionMessageCustomToolCall

/** A `url_citation` annotation of a message (web search); annotations of every delta are appended in order. */
export interface ChatCompletionAnnotation {
  type: 'url_citation'
  url_citation: { end_index: number; start_index: number; title: string; url: string }
}

/** Audio output of a message: `data` and `transcript` appended across chunks, `id` and `expires_at` set. */
export interface ChatCompletionAudio {
  id: string
  data: string
  expires_at: number
  transcript: string
}

/** The assistant message of a choice. */
export interface ChatCompletionMessage {
  content: string | null
  refusal: string | null
  role: 'assistant'
  annotations?: Array<ChatCompletionAnnotation>
  audio?: ChatCompletionAudio | null
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

/** Legacy completions logprobs: parallel lists, appended across chunks. */
export interface TextCompletionLogprobs {
  tokens?: Array<string>
  token_logprobs?: Array<number>
  top_logprobs?: Array<Record<string, number>>
  text_offset?: Array<number>
}

/** One choice of a legacy {@link TextCompletion}. */
export interface TextCompletionChoice {
  finish_reason: ChatCompletionFinishReason | null
  index: number
  logprobs: TextCompletionLogprobs | null
  text: string
}

/**
 * A legacy `text_completion` (the `/v1/completions` endpoint), as the accumulator folds it with
 * `format: 'completions'`: text appended, logprobs lists appended, the last `finish_reason`.
 */
export interface TextCompletion {
  id: string
  choices: Array<TextCompletionChoice>
  created: number
  model: string
  object: 'text_completion'
  system_fingerprint?: string
  usage?: CompletionUsage
}
