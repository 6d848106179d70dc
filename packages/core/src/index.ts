export { createSSEDecoder } from './sse-decoder.js'
export type { ServerSentEvent, SSEDecoder, SSEDecoderHandlers, SSEDecoderOptions } from './sse-decoder.js'
export { DeltafoldError, ProviderError, isDeltafoldError } from './errors.js'
export type { DeltafoldErrorCode, DeltafoldErrorOptions, DeltafoldErrorPosition } from './errors.js'
