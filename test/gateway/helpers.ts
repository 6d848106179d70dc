import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  accumulateChatCompletion,
  createChatCompletionNormalizer,
  type ChatCompletion,
  type ChatCompletionNormalizerOptions,
} from '@deltafold/core'

const RECORDED = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url))

/** Every recorded provider stream (`test/fixtures/recorded/**.sse`), as [name, bytes]. */
export function recordedFixtures(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sse')) out.push([relative(RECORDED, path), new Uint8Array(readFileSync(path))])
    }
  }
  walk(RECORDED)
  return out.sort(([a], [b]) => a.localeCompare(b))
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, out-of-range dropped). */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((n) => n > 0 && n < bytes.length).sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let from = 0
  for (const cut of cuts) {
    out.push(bytes.subarray(from, cut))
    from = cut
  }
  out.push(bytes.subarray(from))
  return out
}

/** The normalizer's whole output for these input pieces, as text. */
export function normalizeText(pieces: Iterable<Uint8Array | string>, options?: ChatCompletionNormalizerOptions): string {
  const normalizer = createChatCompletionNormalizer(options)
  let out = ''
  for (const piece of pieces) out += normalizer.feed(piece)
  return out + normalizer.end()
}

/** Folds bytes with core; a rejection comes back as `{ error }`. */
export async function fold(input: Uint8Array | string): Promise<{ completion?: ChatCompletion; error?: unknown }> {
  try {
    return { completion: await accumulateChatCompletion([input]) }
  } catch (error) {
    return { error }
  }
}

/**
 * What a completion becomes through the normalizer, by the issue's rules, written independently of
 * it: reasoning under `field` only, and a `finish_reason` on every choice (the provider's, else
 * `tool_calls` when it has tool calls, else `stop`) when `finished` (the stream ended cleanly).
 */
export function canonical(
  completion: ChatCompletion,
  { field = 'reasoning_content', finished = true }: { field?: 'reasoning_content' | 'reasoning'; finished?: boolean } = {},
): ChatCompletion {
  const out = structuredClone(completion)
  for (const choice of out.choices) {
    const message = choice.message as unknown as Record<string, unknown>
    const text = message.reasoning_content ?? message.reasoning
    delete message.reasoning_content
    delete message.reasoning
    if (text !== undefined) message[field] = text
    if (finished && choice.finish_reason === null) {
      choice.finish_reason = message.tool_calls !== undefined ? 'tool_calls' : message.function_call ? 'function_call' : 'stop'
    }
  }
  return out
}

/** The `data:` payloads of an SSE text written by the normalizer (one data line per event). */
export function payloads(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`Not a one-line data event: ${JSON.stringify(event)}`)
      return event.slice(6)
    })
}
