import { createRandom } from '../lib/random.js'
import { chunk, choice, fragments, META, SSEWriter, USAGE, type GeneratedStream } from './common.js'
import { generateJSONDocument } from './json-document.js'

/** Options of {@link generateParallelTools}. */
export interface ParallelToolsOptions {
  seed: number
  /** Approximate size of the whole body in bytes. */
  targetBytes: number
  /** Number of tool calls. @defaultValue 8 */
  calls?: number
}

// Bytes of SSE per character of arguments with 4–12 character fragments: the chunk envelope
// (~340 bytes) over ~8 characters. Only used to size the documents; the real size is reported.
const BYTES_PER_ARGUMENT_CHAR = 44

/**
 * Parallel tool calls whose argument fragments interleave at random: each call starts (id, type,
 * name) just before its first fragment, then fragments of all open calls arrive in random order.
 * @param options - seed, size, number of calls
 */
export function generateParallelTools(options: ParallelToolsOptions): GeneratedStream & { argumentDeltas: number } {
  const random = createRandom(options.seed)
  const calls = options.calls ?? 8
  const argsChars = Math.max(64, Math.round(options.targetBytes / calls / BYTES_PER_ARGUMENT_CHAR))
  const plan = Array.from({ length: calls }, (_, k) => {
    const text = JSON.stringify(generateJSONDocument(random, argsChars))
    return { id: `call_${k}_${random.int(100000, 999999)}`, name: `tool_${k}`, text, pieces: fragments(text, random, 4, 12), next: 0 }
  })
  const out = new SSEWriter()
  out.json(chunk([choice({ role: 'assistant', content: null, refusal: null })]))
  let remaining = plan.reduce((sum, call) => sum + call.pieces.length, 0)
  const argumentDeltas = remaining
  while (remaining > 0) {
    const k = random.int(0, calls - 1)
    const call = plan[k]!
    if (call.next >= call.pieces.length) continue
    if (call.next === 0) {
      out.json(chunk([choice({ tool_calls: [{ index: k, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] })]))
    }
    out.json(chunk([choice({ tool_calls: [{ index: k, function: { arguments: call.pieces[call.next++] } }] })]))
    remaining--
  }
  out.json(chunk([choice({}, 'tool_calls')]))
  out.json(chunk([], USAGE))
  out.data('[DONE]')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    dataLength: out.dataLength,
    argumentDeltas,
    expected: {
      id: META.id,
      model: META.model,
      created: META.created,
      choices: [
        {
          index: 0,
          role: 'assistant',
          content: null,
          finish_reason: 'tool_calls',
          tool_calls: plan.map((call) => ({ id: call.id, name: call.name, arguments: call.text })),
        },
      ],
      usage: { prompt_tokens: USAGE.prompt_tokens, completion_tokens: USAGE.completion_tokens, total_tokens: USAGE.total_tokens },
    },
  }
}
