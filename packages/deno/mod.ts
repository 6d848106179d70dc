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
  accumulateChatCompletion,
  carriesData,
  checkResponse,
  createChatCompletionAccumulator,
  createChatCompletionStreamParser,
  createPartialJSONParser,
  createSSEDecoder,
  DeltafoldError,
  encodeSSE,
  isDeltafoldError,
  openSource,
  parseChunkEvent,
  ProviderError,
  splitChatCompletion,
  streamChatCompletion,
  toSSEStream,
  toSSEText,
  withPartial,
} from '@deltafold/core'

// @ts-types="@deltafold/core/types"
export type {
  ByteSource,
  ChatCompletion,
  ChatCompletionAccumulator,
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
  ChatCompletionStreamParser,
  ChatCompletionTokenLogprob,
  ChunkEventResult,
  CompletionEvent,
  CompletionEventType,
  CompletionUsage,
  DeltafoldErrorCode,
  DeltafoldErrorOptions,
  DeltafoldErrorPosition,
  EventPosition,
  FragmentSize,
  OpenedSource,
  PartialJSONParser,
  PartialJSONParserOptions,
  RandomFragmentSize,
  ReasoningField,
  ResponseLike,
  ServerSentEvent,
  SplitChatCompletionOptions,
  SSEDecoder,
  SSEDecoderHandlers,
  SSEDecoderOptions,
  SSEEventInit,
  StreamedChatCompletion,
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
  ChatCompletionEventStream,
  fromResponse,
  SSEDecoderStream,
  SSEEncoderStream,
} from '@deltafold/web'

// @ts-types="@deltafold/web/types"
export type {
  FromResponseOptions,
  ResponseCompletionStream,
  SSEDecoderStreamOptions,
  SSEEncoderOutput,
  SSEEncoderStreamOptions,
} from '@deltafold/web'
