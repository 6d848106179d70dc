/**
 * The field tables of the chat fold, declared once: which wire fields the accumulator interprets at
 * each level (everything else is a provider extra, kept), and which names the built objects own
 * (extras with these names never overwrite them). The fast path and the encoder read them too.
 */

/** Top-level fields with a meaning of their own; everything else is a provider extra. */
export const KNOWN_TOP = new Set(['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier', 'choices', 'usage', 'error'])

/**
 * Top-level padding that only exists to vary chunk sizes (OpenAI `obfuscation`, Mistral `p`): it
 * stays on the raw chunks (as openai-python keeps it) and never reaches the completion.
 */
export const PADDING = new Set(['obfuscation', 'p'])

/** Fields the built choice and message own: extras with these names never overwrite them. */
export const CHOICE_FIELDS = new Set(['index', 'message', 'finish_reason', 'logprobs'])

export const MESSAGE_FIELDS = new Set([
  'role',
  'content',
  'refusal',
  'reasoning_content',
  'reasoning',
  'reasoning_details',
  'tool_calls',
  'function_call',
  'content_parts',
  'audio',
  'annotations',
])

/**
 * Delta fields that label a delta rather than stream text (harmony's `channel: "analysis"` on every
 * delta of gpt-oss): set, never appended, like `role`.
 */
export const LABEL_FIELDS = new Set(['channel'])

export const TOOL_CALL_FIELDS = new Set(['id', 'type', 'function', 'custom'])

export const FUNCTION_FIELDS = new Set(['name', 'arguments'])

export const CUSTOM_FIELDS = new Set(['name', 'input'])

export const AUDIO_FIELDS = new Set(['id', 'data', 'expires_at', 'transcript'])

export const LOGPROBS_FIELDS = new Set(['content', 'refusal'])

export const TEXT_LOGPROBS_FIELDS = new Set(['tokens', 'token_logprobs', 'top_logprobs', 'text_offset'])

export const TEXT_CHOICE_FIELDS = new Set(['index', 'text', 'logprobs', 'finish_reason'])
