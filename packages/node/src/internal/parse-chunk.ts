import { ProviderError, isDeltafoldError, parseChunkEvent, type ChunkEventResult, type ServerSentEvent } from '@deltafold/core'

/**
 * Core's `parseChunkEvent` for a layer that knows the event number but not the byte offset (the
 * events arrived already decoded), plus the provider-error check the accumulator would make.
 *
 * Two workarounds that belong in core (reported): `parseChunkEvent` needs a byte offset, so NaN is
 * passed and scrubbed from the error; and it treats `data: {"error": …}` as a chunk (the accumulator
 * throws for it later), while a chunk stream must fail on it itself.
 */
export function parseChunk(event: ServerSentEvent, eventNumber: number): ChunkEventResult {
  let result: ChunkEventResult
  try {
    result = parseChunkEvent(event, { eventNumber, byteOffset: Number.NaN })
  } catch (error) {
    if (isDeltafoldError(error) && Number.isNaN(error.byteOffset)) {
      delete error.byteOffset
      error.message = error.message.replace(' at byte NaN', '')
    }
    throw error
  }
  if (result.kind === 'chunk') {
    const error = (result.chunk as { error?: unknown }).error
    if (error !== undefined && error !== null) {
      // The accumulator's rule (chat-completion-accumulator.ts `apply`): a non-null `error` field is
      // the provider reporting a failure mid-stream.
      const message =
        typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string'
          ? (error as { message: string }).message
          : JSON.stringify(error)
      throw new ProviderError('upstream_error', `The provider sent an error: ${message}`, error, {
        eventNumber,
        path: '$.error',
        data: event.data,
      })
    }
  }
  return result
}
