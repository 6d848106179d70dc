export { createSSEDecoder } from './sse/sse-decoder.js'
export type { ServerSentEvent, SSEDecoder, SSEDecoderHandlers, SSEDecoderOptions } from './sse/sse-decoder.js'
export { DeltafoldError, ProviderError, isDeltafoldError } from './errors.js'
export type { DeltafoldErrorCode, DeltafoldErrorOptions, DeltafoldErrorPosition } from './errors.js'
export type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChoiceLogprobs,
  ChatCompletionChunk,
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
} from './chat/types.js'
export type { CompletionEvent, CompletionEventType, ReasoningField } from './chat/completion-event.js'
export { createChatCompletionAccumulator } from './chat/chat-completion-accumulator.js'
export type {
  ChatCompletionAccumulator,
  ChatCompletionAccumulatorOptions,
  ChatCompletionLimits,
} from './chat/chat-completion-accumulator.js'
export { carriesData, createChatCompletionStreamParser, parseChunkEvent } from './chat/chat-completion-stream-parser.js'
export type {
  ChatCompletionStreamOptions,
  ChatCompletionStreamParser,
  ChunkEventResult,
  EventPosition,
} from './chat/chat-completion-stream-parser.js'
export { accumulateChatCompletion, streamChatCompletion, withPartial } from './chat/stream-chat-completion.js'
export type { StreamedChatCompletion } from './chat/stream-chat-completion.js'
export { checkResponse, openSource } from './source/open-source.js'
export type { ByteSource, OpenedSource, ResponseLike } from './source/open-source.js'
export { createPartialJSONParser } from './json/partial-json-parser.js'
export type { PartialJSONParser, PartialJSONParserOptions } from './json/partial-json-parser.js'
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
