/** What the one-buffer scenario runs: core's stream parser, and the whole body decoded to a string. */
export { createChatCompletionStreamParser } from '@deltafold/core'

/** The whole body as one string (decoded once, outside the timed runs). */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes)
}
