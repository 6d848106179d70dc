import type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob, CompletionUsage } from './types.js'

/**
 * Which field a reasoning text arrived in: `reasoning_content` (DeepSeek, Qwen, xAI …), `reasoning`
 * (vLLM, Groq, OpenRouter …), `reasoning_details` (the text parts of OpenRouter's structured
 * reasoning), `content` (Mistral's `thinking` content parts, written back as `reasoning_content`).
 */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'reasoning_details' | 'content'

/**
 * The typed events of a streamed completion, emitted in wire order. Every choice-level event carries
 * the choice `index`; tool-call events carry `toolCallIndex` (the call's wire index, or the index
 * deltafold inferred for providers that omit it; calls that share a wire index, as Gemini's do, are
 * told apart by `id`) and `id`.
 *
 * Per chunk: `chunk`, then for each choice in the chunk's order `role`, the `*.delta` events of its
 * delta (empty strings emit nothing), `logprobs.*.delta`, and when it carries a `finish_reason` the
 * choice's `.done` events (`content.done`, `refusal.done`, `reasoning.done`, `tool_call.done` per
 * call in output order) followed by `finish`; then `usage`. `.done` events fire once per burst of
 * new data: when the choice finishes, or at the end of the stream for choices still open, and again
 * only if new text or calls arrived after a finish. A repeated `finish_reason` with nothing new
 * emits nothing. `done` is always last.
 *
 * `tool_call.start` fires once per call, as soon as its name is known, and in any case before its
 * first `tool_call.arguments.delta` or its `tool_call.done`.
 *
 * Custom (free-form input) tool calls use the same three events: `tool_call.start` and
 * `tool_call.done` carry `toolType: 'custom'` (absent on function calls), `name` is `custom.name`,
 * and `tool_call.arguments.delta` / `tool_call.done`'s `arguments` carry `custom.input` (never
 * parsed: no `partial`, `parsed` or `parseError` even with `parseArguments`).
 *
 * `reasoning.delta` says which field its text came in. Each field is accumulated apart; when one
 * delta carries the same text in `reasoning_content` and `reasoning` (or in a `reasoning_details`
 * text part), only the first field's event is emitted, so that a reader concatenating every
 * `reasoning.delta` gets the text once. `reasoning.done` fires once per message field
 * (`reasoning_content`, `reasoning`) with that field's whole text.
 */
export type CompletionEvent =
  | { type: 'chunk'; chunk: ChatCompletionChunk }
  | { type: 'role'; index: number; role: string }
  | {
      type: 'content.delta'
      index: number
      delta: string
      /** The content parsed as JSON so far (only with `parseArguments: true`); a snapshot, as for tool arguments. */
      partial?: unknown
    }
  | {
      type: 'content.done'
      index: number
      content: string
      /** The content parsed as JSON (only with `parseArguments: true` and non-empty content). */
      parsed?: unknown
      /** Why the content is not JSON (only with `parseArguments: true` and non-empty content). */
      parseError?: Error
    }
  | { type: 'refusal.delta'; index: number; delta: string }
  | { type: 'refusal.done'; index: number; refusal: string }
  | { type: 'reasoning.delta'; index: number; delta: string; field: ReasoningField }
  | { type: 'reasoning.done'; index: number; reasoning: string; field: 'reasoning_content' | 'reasoning' }
  | {
      type: 'tool_call.start'
      index: number
      toolCallIndex: number
      id: string
      name: string
      /** `'custom'` for a custom (free-form input) tool call; absent for a function call. */
      toolType?: 'custom'
    }
  | {
      type: 'tool_call.arguments.delta'
      index: number
      toolCallIndex: number
      id: string
      delta: string
      /**
       * The arguments parsed so far (only with `parseArguments: true`; `undefined` once they stopped
       * being JSON). A snapshot at this event: later events never change it (they share its finished parts).
       */
      partial?: unknown
    }
  | {
      type: 'tool_call.done'
      index: number
      toolCallIndex: number
      id: string
      name: string
      /** The final arguments, or a custom call's final `custom.input`. */
      arguments: string
      /** `'custom'` for a custom (free-form input) tool call; absent for a function call. */
      toolType?: 'custom'
      /** The parsed arguments (only with `parseArguments: true` and valid JSON; `""` arguments parse as `{}`). */
      parsed?: unknown
      /** Why the arguments are not valid JSON (only with `parseArguments: true`); the raw string is kept. */
      parseError?: Error
    }
  | { type: 'logprobs.content.delta'; index: number; content: Array<ChatCompletionTokenLogprob> }
  | { type: 'logprobs.refusal.delta'; index: number; refusal: Array<ChatCompletionTokenLogprob> }
  | { type: 'finish'; index: number; finishReason: string }
  | { type: 'usage'; usage: CompletionUsage }
  | { type: 'done'; completion: ChatCompletion }

/** The `type` strings of {@link CompletionEvent}. */
export type CompletionEventType = CompletionEvent['type']
