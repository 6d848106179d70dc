// Type-level proof that deltafold's chat-completion types line up with the `openai` package's types of
// the same names (openai 6.30.1, a devDependency of this workspace package). The checks run at
// compile time: `tsc -p tsconfig.json` at the repository root type-checks this file, and vitest's
// expectTypeOf makes the same assertions visible as tests. A `@ts-expect-error` line proves that an
// assignment does NOT compile, so each exception below is pinned, not just commented.
import type OpenAI from 'openai'
import type { ChatCompletion as O, ChatCompletionChunk as OChunk } from 'openai/resources/chat/completions'
import { expectTypeOf, test } from 'vitest'
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

/** Compiles only when its argument's type is assignable to `To`; does nothing at run time. */
function assignable<To>(_value: To): void {}
/** A value typed `T` for the compiler (an empty object at run time: only its type matters). */
const any = <T,>(): T => ({}) as T

test('ChatCompletionChunk and its parts are assignable both ways', () => {
  assignable<OChunk>(any<ChatCompletionChunk>())
  assignable<ChatCompletionChunk>(any<OChunk>())
  assignable<OChunk.Choice>(any<ChatCompletionChunkChoice>())
  assignable<ChatCompletionChunkChoice>(any<OChunk.Choice>())
  assignable<OChunk.Choice.Delta>(any<ChatCompletionChunkDelta>())
  assignable<ChatCompletionChunkDelta>(any<OChunk.Choice.Delta>())
  assignable<OChunk.Choice.Delta.ToolCall>(any<ChatCompletionChunkToolCall>())
  assignable<ChatCompletionChunkToolCall>(any<OChunk.Choice.Delta.ToolCall>())
  expectTypeOf<ChatCompletionChunk>().toExtend<OChunk>()
  expectTypeOf<OChunk>().toExtend<ChatCompletionChunk>()
})

test('the leaf types of a completion are assignable both ways', () => {
  assignable<OpenAI.Chat.Completions.ChatCompletionMessage>(any<ChatCompletionMessage>())
  assignable<ChatCompletionMessage>(any<OpenAI.Chat.Completions.ChatCompletionMessage>())
  assignable<OpenAI.Chat.Completions.ChatCompletionMessageToolCall>(any<ChatCompletionMessageToolCall>())
  assignable<ChatCompletionMessageToolCall>(any<OpenAI.Chat.Completions.ChatCompletionMessageToolCall>())
  assignable<OpenAI.Chat.Completions.ChatCompletionTokenLogprob>(any<ChatCompletionTokenLogprob>())
  assignable<ChatCompletionTokenLogprob>(any<OpenAI.Chat.Completions.ChatCompletionTokenLogprob>())
  assignable<OpenAI.CompletionUsage>(any<CompletionUsage>())
  assignable<CompletionUsage>(any<OpenAI.CompletionUsage>())
  assignable<O.Choice.Logprobs>(any<ChatCompletionChoiceLogprobs>())
  assignable<ChatCompletionChoiceLogprobs>(any<O.Choice.Logprobs>())
  assignable<O['service_tier']>(any<ChatCompletionServiceTier | null | undefined>())
  assignable<ChatCompletionServiceTier | null | undefined>(any<O['service_tier']>())
  assignable<O.Choice['finish_reason']>(any<ChatCompletionFinishReason>())
  assignable<ChatCompletionFinishReason>(any<O.Choice['finish_reason']>())
  expectTypeOf<ChatCompletionMessage>().toExtend<OpenAI.Chat.Completions.ChatCompletionMessage>()
  expectTypeOf<OpenAI.Chat.Completions.ChatCompletionMessage>().toExtend<ChatCompletionMessage>()
  expectTypeOf<ChatCompletionMessageToolCall>().toExtend<OpenAI.Chat.Completions.ChatCompletionMessageToolCall>()
  expectTypeOf<OpenAI.Chat.Completions.ChatCompletionMessageToolCall>().toExtend<ChatCompletionMessageToolCall>()
  expectTypeOf<CompletionUsage>().toEqualTypeOf<OpenAI.CompletionUsage>()
})

test('an openai ChatCompletion is assignable to ours', () => {
  assignable<ChatCompletion>(any<O>())
  assignable<ChatCompletionChoice>(any<O.Choice>())
  expectTypeOf<O>().toExtend<ChatCompletion>()
})

test('ours is assignable to an openai ChatCompletion except for the nullable finish_reason, and only for it', () => {
  // Deliberate exception: a stream that never sends a finish_reason (Snowflake, Kimi via Novita,
  // Groq after an error) ends with `finish_reason: null`, which the openai type does not allow.
  // @ts-expect-error finish_reason is `... | null` in ours
  assignable<O>(any<ChatCompletion>())
  // @ts-expect-error the same, on one choice
  assignable<O.Choice>(any<ChatCompletionChoice>())
  expectTypeOf<ChatCompletion>().not.toExtend<O>()
  // With the finish_reason narrowed (after checking it is not null), it is assignable: that is the only mismatch.
  type Finished = Omit<ChatCompletionChoice, 'finish_reason'> & { finish_reason: ChatCompletionFinishReason }
  type FinishedCompletion = Omit<ChatCompletion, 'choices'> & { choices: Finished[] }
  assignable<O.Choice>(any<Finished>())
  assignable<O>(any<FinishedCompletion>())
  expectTypeOf<FinishedCompletion>().toExtend<O>()
})

test('a streamed tool call narrows to a function call like the openai type does', () => {
  const message = any<ChatCompletionMessage>()
  const call = message.tool_calls?.[0]
  if (call?.type === 'function') expectTypeOf(call.function).toEqualTypeOf<{ arguments: string; name: string }>()
  if (call?.type === 'custom') expectTypeOf(call.custom).toEqualTypeOf<{ input: string; name: string }>()
})
