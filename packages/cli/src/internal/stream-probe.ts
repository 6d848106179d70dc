/** What the CLI notices about the raw bytes while core folds them (core does not report these). */
export interface StreamProbe {
  /** The first byte that is not JSON whitespace, or -1 before any. */
  firstByte: number
  /** A `data: [DONE]` (or `data:[DONE]`) line was read. */
  sawDone: boolean
}

const DONE = Buffer.from('data:[DONE]')
const DONE_SPACED = Buffer.from('data: [DONE]')
// Kept from the end of each chunk, so a `[DONE]` line split across two reads is still found.
const CARRY = DONE_SPACED.length + 1

/**
 * Wraps a byte source and records its first significant byte and whether a `[DONE]` line passed.
 * A `[DONE]` counts only at the start of a line: a chunk's JSON is on one line and escapes its
 * newlines, so text such as `"data: [DONE]"` inside content cannot be mistaken for it.
 */
export async function* probeStream(
  source: AsyncIterable<Uint8Array | string>,
  probe: StreamProbe,
): AsyncGenerator<Uint8Array | string, void, undefined> {
  let tail = Buffer.alloc(0)
  // Nothing has been read yet: the input itself starts a line.
  let atStart = true
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (probe.firstByte === -1) {
      for (const byte of bytes) {
        if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
          probe.firstByte = byte
          break
        }
      }
    }
    if (!probe.sawDone) {
      const window = Buffer.concat([atStart ? Buffer.from('\n') : tail, bytes])
      probe.sawDone = hasDoneLine(window, DONE) || hasDoneLine(window, DONE_SPACED)
      tail = window.subarray(Math.max(0, window.length - CARRY))
      atStart = false
    }
    yield chunk
  }
}

function hasDoneLine(window: Buffer, line: Buffer): boolean {
  for (let at = window.indexOf(line); at !== -1; at = window.indexOf(line, at + 1)) {
    const before = at === 0 ? -1 : window[at - 1]
    if (before === 0x0a || before === 0x0d) return true
  }
  return false
}
