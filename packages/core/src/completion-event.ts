import type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob, CompletionUsage } from './types.js'

/** Which field a reasoning text arrived in (`content` for Mistral's `thinking` content parts). */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'content'

/**
 * The typed events of a streamed completion, emitted in wire order. Every choice-level event carries
 * the choice `index`; tool-call events carry `toolCallIndex` (the call's wire index, or the index
 * deltafold inferred for providers that omit it) and `id`.
 */
export type CompletionEvent =
  | { type: 'chunk'; chunk: ChatCompletionChunk }
  | { type: 'role'; index: number; role: string }
  | { type: 'content.delta'; index: number; delta: string; partial?: unknown }
  | { type: 'content.done'; index: number; content: string; parsed?: unknown; parseError?: Error }
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
      /** The arguments parsed so far (only with `parseArguments: true`). */
      partial?: unknown
    }
  | {
      type: 'tool_call.done'
      index: number
      toolCallIndex: number
      id: string
      name: string
      arguments: string
      /** The parsed arguments (only with `parseArguments: true` and valid JSON). */
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
