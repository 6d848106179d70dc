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

// `@deltafold/core` and `@deltafold/web` are the sibling members of the Deno workspace (the root
// deno.json): Deno resolves them to their TypeScript sources here, and `deno publish` rewrites them
// to `jsr:@deltafold/core@^<version>` and `jsr:@deltafold/web@^<version>` in the published package.

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

export {
  ChatCompletionChunkStream,
  ChatCompletionEventStream,
  fromResponse,
  SSEDecoderStream,
  SSEEncoderStream,
} from '@deltafold/web'

export type {
  FromResponseOptions,
  ResponseCompletionStream,
  SSEDecoderStreamOptions,
  SSEEncoderOutput,
  SSEEncoderStreamOptions,
} from '@deltafold/web'
