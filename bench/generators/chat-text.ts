import { createRandom } from '../lib/random.js'
import { chunk, choice, META, SSEWriter, USAGE, words, type GeneratedStream } from './common.js'

/** Options of {@link generateChatText}. */
export interface ChatTextOptions {
  seed: number
  /** Stop adding content chunks once the body reaches this many bytes (the tail adds ~700 more). */
  targetBytes: number
}

/**
 * A plain-text chat completion as OpenAI streams it: a role chunk (`content: ""`), content chunks of
 * 1–6 words each (multi-byte UTF-8, quotes, backslashes, newlines), a finish chunk, a usage chunk
 * (`choices: []`) and `[DONE]`.
 * @param options - seed and size
 */
export function generateChatText(options: ChatTextOptions): GeneratedStream & { contentDeltas: number } {
  const random = createRandom(options.seed)
  const out = new SSEWriter()
  out.json(chunk([choice({ role: 'assistant', content: '', refusal: null })]))
  const parts: string[] = []
  while (out.byteLength < options.targetBytes) {
    const text = words(random)
    parts.push(text)
    out.json(chunk([choice({ content: text })]))
  }
  out.json(chunk([choice({}, 'stop')]))
  out.json(chunk([], USAGE))
  out.data('[DONE]')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    dataLength: out.dataLength,
    contentDeltas: parts.length,
    expected: {
      id: META.id,
      model: META.model,
      created: META.created,
      choices: [{ index: 0, role: 'assistant', content: parts.join('') || null, finish_reason: 'stop', tool_calls: [] }],
      usage: { prompt_tokens: USAGE.prompt_tokens, completion_tokens: USAGE.completion_tokens, total_tokens: USAGE.total_tokens },
    },
  }
}
