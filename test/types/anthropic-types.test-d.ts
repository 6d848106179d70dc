// Type-level proof that deltafold's Anthropic Messages types line up with @anthropic-ai/sdk's
// (1.17.0, a devDependency of this workspace package): what the SDK types (a Message, its content
// blocks, the raw stream events) is assignable to ours, so SDK-typed code can hand its values to
// deltafold, and the leaf blocks deltafold builds are assignable back where the wire guarantees the
// fields the SDK requires. A `@ts-expect-error` line proves an assignment does NOT compile: each
// exception is pinned, not just commented. Checked by `tsc -p tsconfig.json` at the repository root.
import type * as M from '@anthropic-ai/sdk/resources/messages'
import type {
  AnthropicContentBlock,
  AnthropicContentBlockDelta,
  AnthropicMessage,
  AnthropicMessageDeltaUsage,
  AnthropicMessageEvent,
  AnthropicRedactedThinkingBlock,
  AnthropicServerToolResultBlock,
  AnthropicServerToolUseBlock,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicTextBlock,
  AnthropicThinkingBlock,
  AnthropicToolUseBlock,
  AnthropicUsage,
} from '@deltafold/core'
import { expectTypeOf, test } from 'vitest'

/** Compiles only when its argument's type is assignable to `To`; does nothing at run time. */
function assignable<To>(_value: To): void {}
/** A value typed `T` for the compiler (an empty object at run time: only its type matters). */
const any = <T>(): T => ({}) as T

test('an SDK Message, its usage and every content block are assignable to ours', () => {
  assignable<AnthropicMessage>(any<M.Message>())
  assignable<AnthropicUsage>(any<M.Usage>())
  assignable<AnthropicContentBlock>(any<M.ContentBlock>())
  assignable<AnthropicTextBlock>(any<M.TextBlock>())
  assignable<AnthropicThinkingBlock>(any<M.ThinkingBlock>())
  assignable<AnthropicRedactedThinkingBlock>(any<M.RedactedThinkingBlock>())
  assignable<AnthropicToolUseBlock>(any<M.ToolUseBlock>())
  assignable<AnthropicServerToolUseBlock>(any<M.ServerToolUseBlock>())
  assignable<AnthropicServerToolResultBlock>(any<M.WebSearchToolResultBlock>())
  assignable<AnthropicServerToolResultBlock>(any<M.CodeExecutionToolResultBlock>())
  assignable<AnthropicStopReason | null>(any<M.StopReason | null>())
  expectTypeOf<M.Message>().toExtend<AnthropicMessage>()
  expectTypeOf<M.ContentBlock>().toExtend<AnthropicContentBlock>()
})

test('an SDK raw stream event is assignable to ours', () => {
  assignable<AnthropicStreamEvent>(any<M.RawMessageStreamEvent>())
  assignable<AnthropicContentBlockDelta>(any<M.RawContentBlockDelta>())
  assignable<AnthropicMessageDeltaUsage>(any<M.MessageDeltaUsage>())
  expectTypeOf<M.RawMessageStreamEvent>().toExtend<AnthropicStreamEvent>()
})

test('the leaf blocks deltafold builds are assignable to the SDK types where the wire has the fields', () => {
  assignable<M.RedactedThinkingBlock>(any<AnthropicRedactedThinkingBlock>())
  assignable<M.StopReason>(any<Exclude<AnthropicStopReason, never>>())
  assignable<M.TextDelta | M.InputJSONDelta | M.ThinkingDelta | M.SignatureDelta>(
    any<Extract<AnthropicContentBlockDelta, { type: 'text_delta' | 'input_json_delta' | 'thinking_delta' | 'signature_delta' }>>(),
  )
})

test('ours is not assignable to an SDK Message: the exceptions are the fields streams may omit', () => {
  // `citations` is absent from text blocks that start without it (`{"type":"text","text":""}`).
  // @ts-expect-error citations is optional in ours
  assignable<M.TextBlock>(any<AnthropicTextBlock>())
  // The spliced vercel/ai stream starts a thinking block without `signature`.
  // @ts-expect-error signature is optional in ours
  assignable<M.ThinkingBlock>(any<AnthropicThinkingBlock>())
  // `caller` is absent from tool_use blocks of older models.
  // @ts-expect-error caller is optional in ours
  assignable<M.ToolUseBlock>(any<AnthropicToolUseBlock>())
  // `container`, `stop_details`, `diagnostics` are absent from most message_start events.
  // @ts-expect-error the SDK requires fields the wire may omit
  assignable<M.Message>(any<AnthropicMessage>())
  expectTypeOf<AnthropicMessage>().not.toExtend<M.Message>()
  // With those fields given, a text block is assignable: that is the only mismatch.
  assignable<M.TextBlock>(any<AnthropicTextBlock & { citations: M.TextCitation[] | null }>())
})

test('the fold events narrow on type like the SDK events', () => {
  const event = any<AnthropicMessageEvent>()
  if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
    expectTypeOf(event.delta.partial_json).toEqualTypeOf<string>()
    expectTypeOf(event.partial).toEqualTypeOf<unknown>()
  }
  if (event.type === 'message_stop') expectTypeOf(event.message).toEqualTypeOf<AnthropicMessage>()
})
