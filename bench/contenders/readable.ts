/**
 * A `ReadableStream` over prepared network chunks, made fresh per iteration: what `response.body`
 * looks like to the stream-based contenders (one read per network chunk).
 */
export function toReadableStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!)
      else controller.close()
    },
  })
}

/** A streaming `Response` over prepared network chunks, as `fetch` would return it. */
export function toResponse(chunks: readonly Uint8Array[]): Response {
  return new Response(toReadableStream(chunks), { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
}
