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
  abortReason,
  accumulateChatCompletion,
  carriesData,
  checkResponse,
  createChatCompletionAccumulator,
  createChatCompletionStreamParser,
  createPartialJSONParser,
  createSSEDecoder,
  DeltafoldError,
  encodeSSE,
  hasPartial,
  isDeltafoldError,
  MAX_ERROR_BODY_BYTES,
  openByteSource,
  openSource,
  parseChunkEvent,
  ProviderError,
  pullChatCompletion,
  readErrorBody,
  responseHeaders,
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
  ChatCompletionPull,
  ChatCompletionServiceTier,
  ChatCompletionStreamOptions,
  ChatCompletionStreamParser,
  ChatCompletionTokenLogprob,
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
  StreamedChatCompletion,
  ToSSEStreamOptions,
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
