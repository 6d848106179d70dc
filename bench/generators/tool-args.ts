import { createRandom } from '../lib/random.js'
import { chunk, choice, fragments, META, SSEWriter, USAGE, type GeneratedStream } from './common.js'
import { generateJSONDocument } from './json-document.js'

/** Options of {@link generateToolArgs}. */
export interface ToolArgsOptions {
  seed: number
  /** Approximate length of the arguments JSON, in characters. */
  argsChars: number
  /** Fragment length range of the argument deltas. @defaultValue 4–12 */
  minFragment?: number
  maxFragment?: number
}

/** A tool-call stream and its arguments. */
export interface ToolArgsStream extends GeneratedStream {
  /** The arguments as a value: what parsing the final arguments must give. */
  document: unknown
  /** The arguments text (`JSON.stringify(document)`). */
  argumentsText: string
  /** Number of argument deltas. */
  argumentDeltas: number
}

/**
 * One tool call whose arguments (a JSON document) stream in 4–12 character fragments: the call
 * start (id, type, name, `arguments: ""`), the fragments, `finish_reason: "tool_calls"`, usage, `[DONE]`.
 * @param options - seed, arguments size, fragment range
 */
export function generateToolArgs(options: ToolArgsOptions): ToolArgsStream {
  const random = createRandom(options.seed)
  const document = generateJSONDocument(random, options.argsChars)
  const argumentsText = JSON.stringify(document)
  const pieces = fragments(argumentsText, random, options.minFragment ?? 4, options.maxFragment ?? 12)
  const out = new SSEWriter()
  const id = 'call_6Wz3Q0bKq3gG1aT2nVfDkLmX'
  const name = 'upsert_catalog'
  out.json(
    chunk([
      choice({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }],
        refusal: null,
      }),
    ]),
  )
  for (const piece of pieces) out.json(chunk([choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]))
  out.json(chunk([choice({}, 'tool_calls')]))
  out.json(chunk([], USAGE))
  out.data('[DONE]')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    dataLength: out.dataLength,
    document,
    argumentsText,
    argumentDeltas: pieces.length,
    expected: {
      id: META.id,
      model: META.model,
      created: META.created,
      choices: [
        { index: 0, role: 'assistant', content: null, finish_reason: 'tool_calls', tool_calls: [{ id, name, arguments: argumentsText }] },
      ],
      usage: { prompt_tokens: USAGE.prompt_tokens, completion_tokens: USAGE.completion_tokens, total_tokens: USAGE.total_tokens },
    },
  }
}
