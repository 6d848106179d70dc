import type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob, CompletionUsage } from './types.js'

/** Which field a reasoning text arrived in (`content` for Mistral's `thinking` content parts). */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'content'

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
  | { type: 'reasoning.done'; index: number; reasoning: string }
  | { type: 'tool_call.start'; index: number; toolCallIndex: number; id: string; name: string }
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
      arguments: string
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
