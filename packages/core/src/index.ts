export { createSSEDecoder } from './sse/sse-decoder.js'
export type { ServerSentEvent, SSEDecoder, SSEDecoderHandlers, SSEDecoderOptions } from './sse/sse-decoder.js'
export { DeltafoldError, ProviderError, hasPartial, isDeltafoldError } from './errors.js'
export type { DeltafoldErrorCode, DeltafoldErrorOptions, DeltafoldErrorPosition } from './errors.js'
export type {
  ChatCompletion,
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
  ChatCompletionMessage,
  ChatCompletionMessageCustomToolCall,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageToolCall,
  ChatCompletionServiceTier,
  ChatCompletionTokenLogprob,
  CompletionUsage,
  TextCompletion,
  TextCompletionChoice,
  TextCompletionLogprobs,
} from './chat/types.js'
export type { CompletionEvent, CompletionEventType, ReasoningField } from './chat/completion-event.js'
export { createChatCompletionAccumulator } from './chat/chat-completion-accumulator.js'
export type {
  ChatCompletionAccumulator,
  ChatCompletionAccumulatorOptions,
  ChatCompletionLimits,
  ChatFoldFormat,
} from './chat/chat-completion-accumulator.js'
export { createChatCompletionStreamParser } from './chat/chat-completion-stream-parser.js'
export type { ChatCompletionStreamOptions, ChatCompletionStreamParser, InputKind } from './chat/chat-completion-stream-parser.js'
export { carriesData, parseChunkEvent } from './chat/parse-chunk-event.js'
export type { ChunkEventResult, EventPosition } from './chat/parse-chunk-event.js'
export { accumulateChatCompletion, streamChatCompletion } from './chat/stream-chat-completion.js'
export { pullChatCompletion } from './chat/pull-chat-completion.js'
export type { ChatCompletionPull } from './chat/pull-chat-completion.js'
export { abortReason, withPartial } from './source/with-partial.js'
export type { StreamedChatCompletion } from './chat/stream-chat-completion.js'
export { openByteSource, openSource } from './source/open-byte-source.js'
export type { ByteSource, ChunkSource, OpenedSource, SourceItem } from './source/open-byte-source.js'
export { checkResponse, MAX_ERROR_BODY_BYTES, readErrorBody, responseHeaders } from './source/check-response.js'
export type { ResponseLike } from './source/check-response.js'
export { createPartialJSONParser } from './json/partial-json-parser.js'
export type { PartialJSONParser, PartialJSONParserOptions } from './json/types.js'
export { encodeSSE } from './encode/encode-sse.js'
export type { SSEEventInit } from './encode/encode-sse.js'
export { splitChatCompletion } from './encode/split-chat-completion.js'
export type { FragmentSize, RandomFragmentSize, SplitChatCompletionOptions } from './encode/split-chat-completion.js'
export { toSSEStream, toSSEText } from './encode/to-sse-stream.js'
export type { ToSSEStreamOptions } from './encode/to-sse-stream.js'
export type {
  AnthropicCompactionBlock,
  AnthropicContainerUploadBlock,
  AnthropicContentBlock,
  AnthropicContentBlockDelta,
  AnthropicFallbackBlock,
  AnthropicMCPToolUseBlock,
  AnthropicMessage,
  AnthropicMessageDelta,
  AnthropicMessageDeltaUsage,
  AnthropicMessageEvent,
  AnthropicRedactedThinkingBlock,
  AnthropicServerToolResultBlock,
  AnthropicServerToolResultType,
  AnthropicServerToolUseBlock,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicTextBlock,
  AnthropicTextCitation,
  AnthropicThinkingBlock,
  AnthropicToolCaller,
  AnthropicToolUseBlock,
  AnthropicUsage,
} from './anthropic/types.js'
export { createAnthropicMessageAccumulator } from './anthropic/anthropic-message-accumulator.js'
export type {
  AnthropicMessageAccumulator,
  AnthropicMessageAccumulatorOptions,
  AnthropicMessageLimits,
} from './anthropic/anthropic-message-accumulator.js'
export { accumulateAnthropicMessage, streamAnthropicMessage } from './anthropic/stream-anthropic-message.js'
export type { AnthropicMessageStreamOptions, StreamedAnthropicMessage } from './anthropic/stream-anthropic-message.js'
export { createAnthropicChatChunkTranslator } from './anthropic/anthropic-chat-chunk-translator.js'
export type { AnthropicChatChunkTranslatorOptions } from './anthropic/anthropic-chat-chunk-translator.js'
export { anthropicMessageToChatCompletion } from './anthropic/anthropic-message-to-chat-completion.js'
export type { AnthropicToChatOptions } from './anthropic/anthropic-message-to-chat-completion.js'
export { createChatCompletionTap } from './gateway/chat-completion-tap.js'
export type { ChatCompletionTap, ChatCompletionTapOptions } from './gateway/chat-completion-tap.js'
export { createChatChunkNormalizer } from './gateway/chat-chunk-normalizer.js'
export type {
  ChatChunkNormalizer,
  ChatChunkNormalizerOptions,
  NormalizedChunk,
  NormalizedErrorChunk,
} from './gateway/chat-chunk-normalizer.js'
export { createChatCompletionNormalizer } from './gateway/chat-completion-normalizer.js'
export type { ChatCompletionNormalizer, ChatCompletionNormalizerOptions } from './gateway/chat-completion-normalizer.js'
export { createChunkStage } from './chat/chunk-stage.js'
export type { ChunkStage } from './chat/chunk-stage.js'
export { eventPositionOf, locateError, recordEventPosition } from './sse/event-position.js'
export { createSSEDecoderStage } from './sse/sse-decoder-stage.js'
export type { SSEDecoderStageOptions } from './sse/sse-decoder-stage.js'
export { createFinalCompletion } from './chat/final-completion.js'
export type { FinalCompletion } from './chat/final-completion.js'
export { createResponseAccumulator } from './responses/response-accumulator.js'
export type {
  ResponseAccumulator,
  ResponseAccumulatorOptions,
  ResponseEventPosition,
  ResponseLimits,
} from './responses/response-accumulator.js'
export { accumulateResponse, streamResponse } from './responses/stream-response.js'
export type { ResponseStreamOptions, StreamedResponse } from './responses/stream-response.js'
export type {
  Response,
  ResponseContentPart,
  ResponseContentPartEvent,
  ResponseCustomToolCall,
  ResponseCustomToolCallInputDeltaEvent,
  ResponseCustomToolCallInputDoneEvent,
  ResponseError,
  ResponseErrorEvent,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseFunctionToolCall,
  ResponseLifecycleEvent,
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
  ResponseTerminalEvent,
  ResponseTextAnnotationEvent,
  ResponseTextDeltaEvent,
  ResponseTextDeltaLogprob,
  ResponseTextDoneEvent,
  ResponseToolProgressEvent,
  ResponseUsage,
} from './responses/types.js'
export { createResponseChatChunkTranslator } from './responses/response-chat-chunk-translator.js'
export type { ResponseChatChunkTranslatorOptions } from './responses/response-chat-chunk-translator.js'
export { responseToChatCompletion } from './responses/response-to-chat-completion.js'

// The three wire formats: the `format` option and its auto-detection (issue 15).
export { detectWireFormat } from './format/wire-format.js'
export type { StreamFormat, WireFormat } from './format/wire-format.js'
