// Type-level proof that deltafold's chat-completion types line up with the `openai` package's types
// of the same names, for openai 6 (`openai`, 6.30.1) and openai 7 (`openai7`, an alias of
// openai@7.60.0 installed for its types only: 7.x needs Node 22 at run time). This file runs under
// vitest's typecheck mode (the `suite` project in vitest.config.ts): the compiler checks it, and a
// type error fails its test. A `@ts-expect-error` line proves that an assignment does NOT compile,
// so each exception below is pinned, not just commented.
import type {
  ChatCompletion as O6,
  ChatCompletionChunk as O6Chunk,
  ChatCompletionMessage as O6Message,
} from 'openai/resources/chat/completions'
import type OpenAI6 from 'openai'
import type {
  ChatCompletion as O7,
  ChatCompletionChunk as O7Chunk,
  ChatCompletionMessage as O7Message,
} from 'openai7/resources/chat/completions'
import type OpenAI7 from 'openai7'
import { assertType, describe, expectTypeOf, test } from 'vitest'
import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChoiceLogprobs,
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionChunkDelta,
  ChatCompletionChunkToolCall,
  ChatCompletionFinishReason,
  ChatCompletionMessage,
  ChatCompletionMessageToolCall,
  ChatCompletionServiceTier,
  ChatCompletionTokenLogprob,
  CompletionUsage,
} from '@deltafold/core'

/** A value typed `T` for the compiler; never evaluated (typecheck mode does not run this file). */
declare function any<T>(): T

/** OpenAI's own finish reasons: what ours narrows to after a check. */
type O6FinishReason = O6.Choice['finish_reason']
type O7FinishReason = O7.Choice['finish_reason']
/** Ours with the open unions narrowed to openai's lists (what a caller has after checking them). */
type Narrowed<FR, ST> = Omit<ChatCompletion, 'choices' | 'service_tier'> & {
  choices: Array<Omit<ChatCompletionChoice, 'finish_reason'> & { finish_reason: FR }>
  service_tier?: ST
}

describe('openai 6', () => {
  test('an openai 6 chunk, choice, delta and tool-call fragment are assignable to ours', () => {
    assertType<ChatCompletionChunk>(any<O6Chunk>())
    assertType<ChatCompletionChunkChoice>(any<O6Chunk.Choice>())
    assertType<ChatCompletionChunkDelta>(any<O6Chunk.Choice.Delta>())
    assertType<ChatCompletionChunkToolCall>(any<O6Chunk.Choice.Delta.ToolCall>())
    expectTypeOf<O6Chunk>().toExtend<ChatCompletionChunk>()
  })

  test('an openai 6 completion, message, tool call, logprobs and usage are assignable to ours', () => {
    assertType<ChatCompletion>(any<O6>())
    assertType<ChatCompletionChoice>(any<O6.Choice>())
    assertType<ChatCompletionMessage>(any<O6Message>())
    assertType<ChatCompletionMessageToolCall>(any<OpenAI6.Chat.Completions.ChatCompletionMessageToolCall>())
    assertType<ChatCompletionTokenLogprob>(any<OpenAI6.Chat.Completions.ChatCompletionTokenLogprob>())
    assertType<ChatCompletionChoiceLogprobs>(any<O6.Choice.Logprobs>())
    assertType<CompletionUsage>(any<OpenAI6.CompletionUsage>())
    expectTypeOf<O6>().toExtend<ChatCompletion>()
    expectTypeOf<CompletionUsage>().toEqualTypeOf<OpenAI6.CompletionUsage>()
  })

  test('our message, tool call, logprobs and usage are assignable to openai 6 (annotations and audio included)', () => {
    assertType<O6Message>(any<ChatCompletionMessage>())
    assertType<OpenAI6.Chat.Completions.ChatCompletionMessageToolCall>(any<ChatCompletionMessageToolCall>())
    assertType<OpenAI6.Chat.Completions.ChatCompletionTokenLogprob>(any<ChatCompletionTokenLogprob>())
    assertType<O6.Choice.Logprobs>(any<ChatCompletionChoiceLogprobs>())
    assertType<OpenAI6.CompletionUsage>(any<CompletionUsage>())
    assertType<NonNullable<O6Message['annotations']>>(any<NonNullable<ChatCompletionMessage['annotations']>>())
    assertType<NonNullable<O6Message['audio']>>(any<NonNullable<ChatCompletionMessage['audio']>>())
  })

  test('ours is assignable to an openai 6 completion once finish_reason and service_tier are narrowed, and only then', () => {
    // Deliberate exceptions: a stream that never finishes ends with finish_reason null, and
    // providers send finish reasons and tiers outside OpenAI's lists (open unions).
    // @ts-expect-error finish_reason is `... | (string & {}) | null` in ours
    assertType<O6>(any<ChatCompletion>())
    // @ts-expect-error the same, on one choice
    assertType<O6.Choice>(any<ChatCompletionChoice>())
    // @ts-expect-error a provider's finish reason is not one of openai's
    assertType<O6FinishReason>(any<ChatCompletionFinishReason>())
    // @ts-expect-error `fast` (openai 7) and providers' tiers are not in openai 6's list
    assertType<O6['service_tier']>(any<ChatCompletionServiceTier>())
    assertType<O6>(any<Narrowed<O6FinishReason, Exclude<O6['service_tier'], undefined>>>())
  })

  test('our chunk tool-call fragment is not assignable to openai 6, which does not type custom fragments', () => {
    // @ts-expect-error openai 6's chunk tool call has `type?: 'function'` only
    assertType<O6Chunk.Choice.Delta.ToolCall>(any<ChatCompletionChunkToolCall>())
    assertType<O6Chunk.Choice.Delta.ToolCall>(any<ChatCompletionChunkToolCall & { type?: 'function' }>())
  })
})

describe('openai 7', () => {
  test('an openai 7 chunk, choice, delta and tool-call fragment (custom included) are assignable to ours', () => {
    assertType<ChatCompletionChunk>(any<O7Chunk>())
    assertType<ChatCompletionChunkChoice>(any<O7Chunk.Choice>())
    assertType<ChatCompletionChunkDelta>(any<O7Chunk.Choice.Delta>())
    assertType<ChatCompletionChunkToolCall>(any<O7Chunk.Choice.Delta.ToolCall>())
    expectTypeOf<O7Chunk>().toExtend<ChatCompletionChunk>()
  })

  test('an openai 7 completion (service_tier fast included), message and tool call are assignable to ours', () => {
    assertType<ChatCompletion>(any<O7>())
    assertType<ChatCompletionChoice>(any<O7.Choice>())
    assertType<ChatCompletionMessage>(any<O7Message>())
    assertType<ChatCompletionMessageToolCall>(any<OpenAI7.Chat.Completions.ChatCompletionMessageToolCall>())
    assertType<ChatCompletionServiceTier>(any<NonNullable<O7['service_tier']>>())
    assertType<CompletionUsage>(any<OpenAI7.CompletionUsage>())
    expectTypeOf<O7>().toExtend<ChatCompletion>()
  })

  test('our message, tool calls (custom included), delta and chunk tool-call fragments are assignable to openai 7', () => {
    assertType<O7Message>(any<ChatCompletionMessage>())
    assertType<OpenAI7.Chat.Completions.ChatCompletionMessageToolCall>(any<ChatCompletionMessageToolCall>())
    assertType<OpenAI7.Chat.Completions.ChatCompletionMessageCustomToolCall>(
      any<Extract<ChatCompletionMessageToolCall, { type: 'custom' }>>(),
    )
    assertType<O7Chunk.Choice.Delta.ToolCall>(any<ChatCompletionChunkToolCall>())
    assertType<O7Chunk.Choice.Delta>(any<ChatCompletionChunkDelta>())
  })

  test('ours is assignable to an openai 7 completion once finish_reason and service_tier are narrowed, and only then', () => {
    // @ts-expect-error finish_reason is `... | (string & {}) | null` in ours
    assertType<O7>(any<ChatCompletion>())
    // @ts-expect-error a provider's tier (`on_demand`) is not one of openai's
    assertType<O7['service_tier']>(any<ChatCompletionServiceTier>())
    assertType<O7>(any<Narrowed<O7FinishReason, Exclude<O7['service_tier'], undefined>>>())
  })
})

test('open unions: provider values outside openai lists type-check, and openai literals still fit', () => {
  assertType<ChatCompletionFinishReason>('eos')
  assertType<ChatCompletionFinishReason>('model_length')
  assertType<ChatCompletionServiceTier>('on_demand')
  expectTypeOf<'stop'>().toExtend<ChatCompletionFinishReason>()
  expectTypeOf<ChatCompletionFinishReason>().not.toBeAny()
  // @ts-expect-error still a string union: numbers are not finish reasons
  assertType<ChatCompletionFinishReason>(5)
})

test('a tool call narrows to a function call or a custom call like the openai type does', () => {
  const call = any<ChatCompletionMessage>().tool_calls?.[0]
  if (call?.type === 'function') expectTypeOf(call.function).toEqualTypeOf<{ arguments: string; name: string }>()
  if (call?.type === 'custom') expectTypeOf(call.custom).toEqualTypeOf<{ input: string; name: string }>()
})
