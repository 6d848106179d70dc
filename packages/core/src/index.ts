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
