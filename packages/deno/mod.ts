/**
 * deltafold for Deno: turn the raw bytes of an OpenAI-compatible streaming response into one
 * correct, final `chat.completion`. This module re-exports `@deltafold/core` (the SSE decoder, the
 * chunk accumulator, the pipelines, the partial-JSON parser, the errors) and `@deltafold/web` (the
 * WHATWG `TransformStream` adapters), which run on Deno's own `fetch`, `Response` and streams.
 *
 * @example
 * ```ts
 * import { accumulateChatCompletion } from '@deltafold/deno'
 * const response = new Response(
 *   'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
 *   { headers: { 'content-type': 'text/event-stream' } },
 * )
 * const completion = await accumulateChatCompletion(response)
 * console.log(completion.choices[0]?.message.content) // 'Hi'
 * ```
 *
 * @module
 */

// The `@ts-types` directives give Deno the declarations tsup emits beside each dist file (Deno does
// not look for a sibling `.d.ts` of a local `.js`); deno.json maps both specifiers.

// @ts-types="@deltafold/core/types"
export {
  accumulateAnthropicMessage,
  abortReason,
  accumulateChatCompletion,
  anthropicMessageToChatCompletion,
  carriesData,
  checkResponse,
  createAnthropicChatChunkTranslator,
  createAnthropicMessageAccumulator,
  createChatChunkNormalizer,
  createChatCompletionAccumulator,
  createChatCompletionNormalizer,
  createChatCompletionStreamParser,
  createChatCompletionTap,
  createChunkStage,
  createFinalCompletion,
  createPartialJSONParser,
  createSSEDecoder,
  createSSEDecoderStage,
  DeltafoldError,
  encodeSSE,
  eventPositionOf,
  hasPartial,
  isDeltafoldError,
  locateError,
  MAX_ERROR_BODY_BYTES,
  openByteSource,
  openSource,
  parseChunkEvent,
  ProviderError,
  pullChatCompletion,
  readErrorBody,
  responseHeaders,
  splitChatCompletion,
  streamAnthropicMessage,
  streamChatCompletion,
  toSSEStream,
  toSSEText,
  recordEventPosition,
  withPartial,
} from '@deltafold/core'

// @ts-types="@deltafold/core/types"
export type {
  AnthropicChatChunkTranslatorOptions,
  AnthropicCompactionBlock,
  AnthropicContainerUploadBlock,
  AnthropicContentBlock,
  AnthropicContentBlockDelta,
  AnthropicFallbackBlock,
  AnthropicMCPToolUseBlock,
  AnthropicMessage,
  AnthropicMessageAccumulator,
  AnthropicMessageAccumulatorOptions,
  AnthropicMessageDelta,
  AnthropicMessageDeltaUsage,
  AnthropicMessageEvent,
  AnthropicMessageLimits,
  AnthropicMessageStreamOptions,
  AnthropicRedactedThinkingBlock,
  AnthropicServerToolResultBlock,
  AnthropicServerToolResultType,
  AnthropicServerToolUseBlock,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicTextBlock,
  AnthropicTextCitation,
  AnthropicThinkingBlock,
  AnthropicToChatOptions,
  AnthropicToolCaller,
  AnthropicToolUseBlock,
  AnthropicUsage,
  ByteSource,
  ChatCompletion,
  ChatCompletionAccumulator,
  ChunkStage,
  FinalCompletion,
  SSEDecoderStageOptions,
  ChatCompletionAccumulatorOptions,
  ChatChunkNormalizer,
  ChatChunkNormalizerOptions,
  ChatCompletionAnnotation,
  ChatCompletionAudio,
  ChatCompletionChoice,
  ChatCompletionChoiceLogprobs,
  ChatCompletionChunk,
  ChatCompletionChunkAudio,
  ChatCompletionChunkChoice,
  ChatCompletionChunkDelta,
  ChatCompletionChunkToolCall,
  ChatCompletionFinishReason,
  ChatCompletionLimits,
  ChatCompletionMessage,
  ChatCompletionMessageCustomToolCall,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageToolCall,
  ChatCompletionNormalizer,
  ChatCompletionNormalizerOptions,
  ChatCompletionPull,
  ChatCompletionServiceTier,
  ChatCompletionStreamOptions,
  ChatCompletionStreamParser,
  ChatCompletionTap,
  ChatCompletionTapOptions,
  ChatCompletionTokenLogprob,
  ChatFoldFormat,
  ChunkEventResult,
  ChunkSource,
  CompletionEvent,
  CompletionEventType,
  CompletionUsage,
  DeltafoldErrorCode,
  DeltafoldErrorOptions,
  DeltafoldErrorPosition,
  EventPosition,
  FragmentSize,
  NormalizedChunk,
  NormalizedErrorChunk,
  InputKind,
  OpenedSource,
  PartialJSONParser,
  PartialJSONParserOptions,
  RandomFragmentSize,
  ReasoningField,
  ResponseLike,
  ServerSentEvent,
  SourceItem,
  SplitChatCompletionOptions,
  SSEDecoder,
  SSEDecoderHandlers,
  SSEDecoderOptions,
  SSEEventInit,
  StreamedAnthropicMessage,
  StreamedChatCompletion,
  TextCompletion,
  TextCompletionChoice,
  TextCompletionLogprobs,
  ToSSEStreamOptions,
} from '@deltafold/core'

// The OpenAI Responses API fold (issue 15).
// @ts-types="@deltafold/core/types"
export {
  accumulateResponse,
  createResponseAccumulator,
  createResponseChatChunkTranslator,
  responseToChatCompletion,
  streamResponse,
} from '@deltafold/core'

// @ts-types="@deltafold/core/types"
export type {
  Response,
  ResponseAccumulator,
  ResponseAccumulatorOptions,
  ResponseChatChunkTranslatorOptions,
  ResponseContentPart,
  ResponseContentPartEvent,
  ResponseCustomToolCall,
  ResponseCustomToolCallInputDeltaEvent,
  ResponseCustomToolCallInputDoneEvent,
  ResponseError,
  ResponseErrorEvent,
  ResponseEventPosition,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseFunctionToolCall,
  ResponseLifecycleEvent,
  ResponseLimits,
  ResponseOutputItem,
  ResponseOutputItemEvent,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
  ResponseOutputTextAnnotation,
  ResponseOutputTextLogprob,
  ResponseReasoningItem,
  ResponseReasoningSummary,
  ResponseReasoningSummaryPartEvent,
  ResponseReasoningSummaryTextDeltaEvent,
  ResponseReasoningSummaryTextDoneEvent,
  ResponseReasoningText,
  ResponseReasoningTextDeltaEvent,
  ResponseReasoningTextDoneEvent,
  ResponseRefusalDeltaEvent,
  ResponseRefusalDoneEvent,
  ResponseServerItemType,
  ResponseServerToolItem,
  ResponseStatus,
  ResponseStreamEvent,
  ResponseStreamEventType,
  ResponseStreamOptions,
  ResponseTerminalEvent,
  ResponseTextAnnotationEvent,
  ResponseTextDeltaEvent,
  ResponseTextDeltaLogprob,
  ResponseTextDoneEvent,
  ResponseToolProgressEvent,
  ResponseUsage,
  StreamedResponse,
} from '@deltafold/core'

// @ts-types="@deltafold/web/types"
export {
  ChatCompletionChunkStream,
  ChatCompletionDecoderStream,
  ChatCompletionEventStream,
  ChatCompletionNormalizeStream,
  ChatCompletionTapStream,
  fromResponse,
  SSEDecoderStream,
  SSEEncoderStream,
} from '@deltafold/web'

// @ts-types="@deltafold/web/types"
export type {
  ChatCompletionDecoderStreamOptions,
  ChatCompletionDecoderStreamOutput,
  FromResponseOptions,
  ResponseCompletionStream,
  SSEDecoderStreamOptions,
  SSEEncoderOutput,
  SSEEncoderStreamOptions,
} from '@deltafold/web'

// The three wire formats: the `format` option and its auto-detection (issue 15).
// @ts-types="@deltafold/core/types"
export { detectWireFormat } from '@deltafold/core'

// @ts-types="@deltafold/core/types"
export type { StreamFormat, WireFormat } from '@deltafold/core'
