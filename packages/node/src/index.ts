export { createSSEDecoderTransform } from './sse-decoder-transform.js'
export type { SSEDecoderTransformOptions } from './sse-decoder-transform.js'
export { createChunkTransform } from './chunk-transform.js'
export type { ChunkTransformOptions } from './chunk-transform.js'
export { createEventTransform } from './event-transform.js'
export type { EventTransform, EventTransformOptions } from './event-transform.js'
export { accumulateFromReadable } from './accumulate-from-readable.js'
export type { AccumulateFromReadableOptions } from './accumulate-from-readable.js'
export { createSSEEncoderTransform, type SSEEncoderTransformOptions } from './sse-encoder-transform.js'
export { createTapTransform } from './tap-transform.js'
export type { TapTransform } from './tap-transform.js'
export { createNormalizeTransform } from './normalize-transform.js'
export type { NormalizeTransform } from './normalize-transform.js'

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
