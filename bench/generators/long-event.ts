import { createRandom } from '../lib/random.js'
import { chunk, choice, META, SSEWriter, utf8Length, words, type GeneratedStream } from './common.js'

/** Options of {@link generateLongEvent}. */
export interface LongEventOptions {
  seed: number
  /** Bytes of the one long event (its `data:` line and the blank line); the body adds `[DONE]`. */
  eventBytes: number
}

/**
 * One chunk whose content makes a single `data:` line of about `eventBytes` bytes (multi-byte
 * UTF-8 included), with role and finish reason in the same chunk, then `[DONE]`.
 * @param options - seed and event size
 */
export function generateLongEvent(options: LongEventOptions): GeneratedStream {
  const random = createRandom(options.seed)
  const envelope = `data: ${JSON.stringify(chunk([choice({ role: 'assistant', content: '' }, 'stop')]))}\n\n`
  const budget = options.eventBytes - utf8Length(envelope)
  const parts: string[] = []
  let size = 0
  for (;;) {
    const text = words(random)
    const bytes = utf8Length(JSON.stringify(text)) - 2
    if (size + bytes > budget) break
    parts.push(text)
    size += bytes
  }
  const content = parts.join('')
  const out = new SSEWriter()
  out.json(chunk([choice({ role: 'assistant', content }, 'stop')]))
  out.data('[DONE]')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    dataLength: out.dataLength,
    expected: {
      id: META.id,
      model: META.model,
      created: META.created,
      choices: [{ index: 0, role: 'assistant', content, finish_reason: 'stop', tool_calls: [] }],
      usage: null,
    },
  }
}
