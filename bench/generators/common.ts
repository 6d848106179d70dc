/**
 * Shared pieces of the seeded workload generators: the OpenAI chunk envelope, an SSE encoder, the
 * vocabulary (with multi-byte UTF-8 and JSON escapes on purpose), and the network splitter.
 */
import type { CompletionSummary } from '../lib/ground-truth.js'
import type { Random } from '../lib/random.js'

/** A generated stream and everything needed to check a contender's answer. */
export interface GeneratedStream {
  /** The whole response body. */
  bytes: Uint8Array
  /** SSE events in it, `[DONE]` included. */
  eventCount: number
  /** Sum of the `data` lengths of all events (UTF-16 code units), for decoder-only checks. */
  dataLength: number
  /** The final completion every accumulating contender must produce. */
  expected: CompletionSummary
}

export const META = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  created: 1741569952,
  model: 'gpt-4o-2024-08-06',
  service_tier: 'default',
  system_fingerprint: 'fp_f9f4fb6dbf',
} as const

export const USAGE = {
  prompt_tokens: 1117,
  completion_tokens: 46,
  total_tokens: 1163,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
}

/** One `chat.completion.chunk` as OpenAI streams it with `stream_options.include_usage`, key order included. */
export function chunk(choices: unknown[], usage: unknown = null): Record<string, unknown> {
  return {
    id: META.id,
    object: 'chat.completion.chunk',
    created: META.created,
    model: META.model,
    service_tier: META.service_tier,
    system_fingerprint: META.system_fingerprint,
    choices,
    usage,
  }
}

/** One choice of a chunk. */
export function choice(delta: Record<string, unknown>, finishReason: string | null = null, index = 0): Record<string, unknown> {
  return { index, delta, logprobs: null, finish_reason: finishReason }
}

/** Collects SSE events (`data: …\n\n`) and counts their bytes as it goes. */
export class SSEWriter {
  private parts: string[] = []
  /** UTF-8 bytes written so far. */
  byteLength = 0
  eventCount = 0
  dataLength = 0

  /** Writes one event whose data is the JSON of `value`. */
  json(value: unknown): void {
    this.data(JSON.stringify(value))
  }

  /** Writes one event with the given data (one line). */
  data(data: string): void {
    const event = `data: ${data}\n\n`
    this.parts.push(event)
    this.byteLength += utf8Length(event)
    this.eventCount++
    this.dataLength += data.length
  }

  /** The whole body, encoded once. */
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.parts.join(''))
  }
}

/** UTF-8 byte length of a well-formed string. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** Words of generated text: mostly English, some accented, CJK, Cyrillic, emoji (4-byte UTF-8, surrogate pairs). */
export const WORDS: readonly string[] = [
  'the',
  'of',
  'and',
  'to',
  'in',
  'is',
  'that',
  'for',
  'it',
  'as',
  'with',
  'was',
  'on',
  'be',
  'at',
  'by',
  'this',
  'stream',
  'token',
  'model',
  'answer',
  'request',
  'response',
  'chunk',
  'server',
  'event',
  'parser',
  'buffer',
  'latency',
  'throughput',
  'function',
  'argument',
  'value',
  'result',
  'quickly',
  'carefully',
  'however',
  'café',
  'naïve',
  'déjà',
  'vu',
  'Zürich',
  'mañana',
  'façade',
  'Ω',
  '½',
  '€',
  '→',
  '日本語',
  '東京',
  '漢字',
  'テスト',
  '한국어',
  'Привет',
  'мир',
  'ελληνικά',
  'עברית',
  'العربية',
  '🙂',
  '👍🏽',
  '🚀',
  '🧪',
  '👩‍💻',
]

/** Punctuation and escapes that JSON must carry: quotes, backslashes, newlines, tabs. */
const TAILS: readonly string[] = ['.', ',', '!', '?', ':', ';', '\n', '\n\n', ' "quoted"', ' C:\\path', '\t', ' (aside)']

/**
 * A content delta of 1–6 words, as models stream them (leading space, sometimes punctuation).
 * @param random - the seeded source
 */
export function words(random: Random, min = 1, max = 6): string {
  const n = random.int(min, max)
  let text = ''
  for (let i = 0; i < n; i++) text += ' ' + random.pick(WORDS)
  if (random.chance(0.15)) text += random.pick(TAILS)
  return text
}

/**
 * Splits a body into network chunks of random sizes in [min, max] bytes (views, no copies); splits
 * land anywhere, inside UTF-8 sequences and CRLF pairs included.
 * @param bytes - the body
 * @param random - the seeded source
 */
export function splitRandom(bytes: Uint8Array, random: Random, min = 1, max = 8192): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let i = 0; i < bytes.length; ) {
    const size = random.int(min, max)
    chunks.push(bytes.subarray(i, i + size))
    i += size
  }
  return chunks
}

/**
 * Splits a body into fixed-size chunks (the last one shorter), like TCP segments of one MSS.
 * @param bytes - the body
 * @param size - bytes per chunk
 */
export function splitFixed(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return chunks
}

/**
 * Cuts text into fragments of [min, max] UTF-16 units, never inside a surrogate pair (a model's
 * token boundary never splits a code point).
 * @param text - the text to cut
 * @param random - the seeded source
 */
export function fragments(text: string, random: Random, min: number, max: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + random.int(min, max))
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++
    out.push(text.slice(i, end))
    i = end
  }
  return out
}
