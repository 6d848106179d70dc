import { createRandom } from '../lib/random.js'
import { fragments, utf8Length, words } from './common.js'
import { generateJSONDocument } from './json-document.js'

/** Options of {@link generateResponsesStream}. */
export interface ResponsesStreamOptions {
  seed: number
  /** Approximate length of the message text, in characters (0: no message item). */
  textChars: number
  /** Approximate length of the function-call arguments JSON, in characters (0: no function call). */
  argsChars: number
}

/** A generated Responses API stream and what its fold must give. */
export interface ResponsesStream {
  bytes: Uint8Array
  /** SSE events in it. */
  eventCount: number
  /** The message text (`''` without a message item). */
  text: string
  /** The arguments text and value (`''` / undefined without a function call). */
  argumentsText: string
  document: unknown
  /** Number of `response.function_call_arguments.delta` events. */
  argumentDeltas: number
  /** The `response.completed` response: what the fold must return. */
  response: Record<string, unknown>
}

const RESPONSE = {
  id: 'resp_0bac52ec5f239d30016a6145ff09a4819291ced3bf727cda6b',
  object: 'response',
  created_at: 1784759807,
  model: 'gpt-5-2025-08-07',
}
const USAGE = {
  input_tokens: 1117,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 46,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 1163,
}

/**
 * A Responses API stream as OpenAI sends it (`event:` + `data:` per event, `sequence_number`,
 * `obfuscation` padding on deltas): `response.created`, `response.in_progress`, then optionally a
 * message whose text streams in 1–6 word deltas, then optionally a function call whose arguments (a
 * JSON document) stream in 4–12 character fragments, each item closed by its `.done` events, and
 * `response.completed` carrying the whole response with usage.
 * @param options - seed and sizes
 */
export function generateResponsesStream(options: ResponsesStreamOptions): ResponsesStream {
  const random = createRandom(options.seed)
  const parts: string[] = []
  let sequence = 0
  let byteLength = 0
  const write = (event: Record<string, unknown>) => {
    const line = `event: ${event.type as string}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`
    parts.push(line)
    byteLength += utf8Length(line)
  }
  const pad = () => 'abcdefghijklmnop'.slice(0, random.int(2, 14))
  const base = { ...RESPONSE, status: 'in_progress', error: null, incomplete_details: null, output: [], usage: null }
  write({ type: 'response.created', response: base })
  write({ type: 'response.in_progress', response: base })
  const output: Record<string, unknown>[] = []
  let text = ''
  if (options.textChars > 0) {
    const id = 'msg_0bac52ec5f239d30016a61460092b08192afc4b546af158c46'
    const index = output.length
    write({
      type: 'response.output_item.added',
      output_index: index,
      item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    })
    write({
      type: 'response.content_part.added',
      item_id: id,
      output_index: index,
      content_index: 0,
      part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
    })
    while (text.length < options.textChars) {
      const delta = words(random)
      text += delta
      write({
        type: 'response.output_text.delta',
        item_id: id,
        output_index: index,
        content_index: 0,
        delta,
        logprobs: [],
        obfuscation: pad(),
      })
    }
    const part = { type: 'output_text', annotations: [], logprobs: [], text }
    write({ type: 'response.output_text.done', item_id: id, output_index: index, content_index: 0, text, logprobs: [] })
    write({ type: 'response.content_part.done', item_id: id, output_index: index, content_index: 0, part })
    const item = { id, type: 'message', status: 'completed', content: [part], role: 'assistant' }
    write({ type: 'response.output_item.done', output_index: index, item })
    output.push(item)
  }
  let argumentsText = ''
  let document: unknown
  let argumentDeltas = 0
  if (options.argsChars > 0) {
    document = generateJSONDocument(random, options.argsChars)
    argumentsText = JSON.stringify(document)
    const id = 'fc_0bac52ec5f239d30016a61460099bc8192a9ebe7381b9efd87'
    const index = output.length
    const call = {
      id,
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_VgDSZztLociNcutQZWkC2fmL',
      name: 'upsert_catalog',
    }
    write({ type: 'response.output_item.added', output_index: index, item: call })
    for (const delta of fragments(argumentsText, random, 4, 12)) {
      write({ type: 'response.function_call_arguments.delta', item_id: id, output_index: index, delta, obfuscation: pad() })
      argumentDeltas++
    }
    write({ type: 'response.function_call_arguments.done', item_id: id, output_index: index, arguments: argumentsText })
    const item = { ...call, status: 'completed', arguments: argumentsText }
    write({ type: 'response.output_item.done', output_index: index, item })
    output.push(item)
  }
  const response = { ...RESPONSE, status: 'completed', error: null, incomplete_details: null, output, usage: USAGE }
  write({ type: 'response.completed', response })
  const bytes = new TextEncoder().encode(parts.join(''))
  if (bytes.length !== byteLength) throw new Error('generateResponsesStream: byte count mismatch')
  return { bytes, eventCount: parts.length, text, argumentsText, document, argumentDeltas, response }
}
