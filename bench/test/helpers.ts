/** A trusted, slow reference decoder for checking generated bodies: split on blank lines, keep `data: ` payloads. */
export function payloads(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes)
  if (!text.endsWith('\n\n')) throw new Error('The body does not end with a blank line')
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((event) => {
      if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`Not a one-line data event: ${event.slice(0, 40)}`)
      return event.slice(6)
    })
}

/** The parsed chunks of a body (`[DONE]` left out). */
export function chunksOf(bytes: Uint8Array): Record<string, any>[] {
  return payloads(bytes)
    .filter((p) => p !== '[DONE]')
    .map((p) => JSON.parse(p) as Record<string, any>)
}

/** Concatenates byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
