export { createSSEDecoder } from './sse-decoder.js'
export type { ServerSentEvent, SSEDecoder, SSEDecoderHandlers, SSEDecoderOptions } from './sse-decoder.js'
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
} from './types.js'
export type { CompletionEvent, CompletionEventType, ReasoningField } from './completion-event.js'
export { createChatCompletionAccumulator } from './chat-completion-accumulator.js'
export type {
  ChatCompletionAccumulator,
  ChatCompletionAccumulatorOptions,
  ChatCompletionLimits,
} from './chat-completion-accumulator.js'
export { carriesData, createChatCompletionStreamParser, parseChunkEvent } from './chat-completion-stream-parser.js'
export type {
  ChatCompletionStreamOptions,
  ChatCompletionStreamParser,
  ChunkEventResult,
  EventPosition,
} from './chat-completion-stream-parser.js'
export { accumulateChatCompletion, streamChatCompletion, withPartial } from './stream-chat-completion.js'
export type { StreamedChatCompletion } from './stream-chat-completion.js'
export { checkResponse, openSource } from './open-source.js'
export type { ByteSource, OpenedSource, ResponseLike } from './open-source.js'
export { createPartialJSONParser } from './partial-json-parser.js'
export type { PartialJSONParser, PartialJSONParserOptions } from './partial-json-parser.js'
export { encodeSSE } from './encode-sse.js'
export type { SSEEventInit } from './encode-sse.js'
export { splitChatCompletion } from './split-chat-completion.js'
export type { FragmentSize, RandomFragmentSize, SplitChatCompletionOptions } from './split-chat-completion.js'
export { toSSEStream, toSSEText } from './to-sse-stream.js'
export type { ToSSEStreamOptions } from './to-sse-stream.js'
