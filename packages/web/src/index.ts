export { ChatCompletionDecoderStream } from './chat-completion-decoder-stream.js'
export type { ChatCompletionDecoderStreamOptions, ChatCompletionDecoderStreamOutput } from './chat-completion-decoder-stream.js'
export { SSEDecoderStream } from './sse-decoder-stream.js'
export type { SSEDecoderStreamOptions } from './sse-decoder-stream.js'
export { ChatCompletionChunkStream } from './chat-completion-chunk-stream.js'
export { ChatCompletionEventStream } from './chat-completion-event-stream.js'
export type { ChatCompletionEventStreamOptions } from './chat-completion-event-stream.js'
export { fromResponse } from './from-response.js'
export type { FromResponseOptions, ResponseCompletionStream } from './from-response.js'
export { SSEEncoderStream, type SSEEncoderOutput, type SSEEncoderStreamOptions } from './sse-encoder-stream.js'
export { ChatCompletionTapStream } from './chat-completion-tap-stream.js'
export { ChatCompletionNormalizeStream } from './chat-completion-normalize-stream.js'

// Core's errors, guard and public types, so that an app importing only this package can catch,
// narrow and type what it gets (the same classes as @deltafold/core's, not copies).
export { DeltafoldError, ProviderError, isDeltafoldError } from '@deltafold/core'
export type {
  ChatCompletion,
  ChatCompletionAccumulatorOptions,
  ChatCompletionChoice,
  ChatCompletionChoiceLogprobs,
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionChunkDelta,
  ChatCompletionChunkToolCall,
  ChatCompletionFinishReason,
  ChatCompletionLimits,
  ChatCompletionMessage,
  ChatCompletionMessageCustomToolCall,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageToolCall,
  ChatCompletionServiceTier,
  ChatCompletionStreamOptions,
  ChatCompletionTokenLogprob,
  CompletionEvent,
  CompletionEventType,
  CompletionUsage,
  DeltafoldErrorCode,
  DeltafoldErrorOptions,
  DeltafoldErrorPosition,
  ReasoningField,
  ServerSentEvent,
  SSEDecoderOptions,
  SSEEventInit,
} from '@deltafold/core'
