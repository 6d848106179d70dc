export { createSSEDecoder } from './sse/sse-decoder.js'
export type { ServerSentEvent, SSEDecoder, SSEDecoderHandlers, SSEDecoderOptions } from './sse/sse-decoder.js'
export { DeltafoldError, ProviderError, hasPartial, isDeltafoldError } from './errors.js'
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
export { createChatCompletionStreamParser } from './chat/chat-completion-stream-parser.js'
export type { ChatCompletionStreamOptions, ChatCompletionStreamParser, InputKind } from './chat/chat-completion-stream-parser.js'
export { carriesData, parseChunkEvent } from './chat/parse-chunk-event.js'
export type { ChunkEventResult, EventPosition } from './chat/parse-chunk-event.js'
export { accumulateChatCompletion, streamChatCompletion } from './chat/stream-chat-completion.js'
export { abortReason, pullChatCompletion, withPartial } from './chat/pull-chat-completion.js'
export type { ChatCompletionPull } from './chat/pull-chat-completion.js'
export type { StreamedChatCompletion } from './chat/stream-chat-completion.js'
export { openByteSource, openSource } from './source/open-byte-source.js'
export type { ByteSource, ChunkSource, OpenedSource, SourceItem } from './source/open-byte-source.js'
export { checkResponse, MAX_ERROR_BODY_BYTES, readErrorBody, responseHeaders } from './source/check-response.js'
export type { ResponseLike } from './source/check-response.js'
export { createPartialJSONParser } from './json/partial-json-parser.js'
export type { PartialJSONParser, PartialJSONParserOptions } from './json/partial-json-parser.js'
export { encodeSSE } from './encode/encode-sse.js'
export type { SSEEventInit } from './encode/encode-sse.js'
export { splitChatCompletion } from './encode/split-chat-completion.js'
export type { FragmentSize, RandomFragmentSize, SplitChatCompletionOptions } from './encode/split-chat-completion.js'
export { toSSEStream, toSSEText } from './encode/to-sse-stream.js'
export type { ToSSEStreamOptions } from './encode/to-sse-stream.js'
