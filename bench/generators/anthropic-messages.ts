/**
 * Seeded Anthropic Messages streams for the `anthropic` scenario: `event:` + `data:` SSE as the API
 * sends it (message_start, content blocks, `ping`s, message_delta, message_stop), a long text answer,
 * or a short text then one tool_use whose input (a JSON document) streams in 4–12 character
 * `input_json_delta` fragments.
 */
import { createRandom } from '../lib/random.js'
import { fragments, utf8Length, words } from './common.js'
import { generateJSONDocument } from './json-document.js'

/** A generated Anthropic stream and what its final Message must hold. */
export interface AnthropicStream {
  bytes: Uint8Array
  /** SSE events in it, pings included. */
  eventCount: number
  /** The final Message's content, as `@anthropic-ai/sdk` builds it. */
  content: unknown[]
  /** `input_json_delta` events (tool streams) or `text_delta` events (text streams). */
  deltas: number
}

export const MESSAGE_ID = 'msg_01XFDUDYJgAACzvnptvVoYEL'
export const MODEL = 'claude-sonnet-4-5-20250929'
export const TOOL_ID = 'toolu_01T1x1fJ34qAmk2tNTrN7Up6'

class AnthropicWriter {
  private parts: string[] = []
  byteLength = 0
  eventCount = 0

  event(value: { type: string; [key: string]: unknown }): void {
    const text = `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`
    this.parts.push(text)
    this.byteLength += utf8Length(text)
    this.eventCount++
  }

  bytes(): Uint8Array {
    return new TextEncoder().encode(this.parts.join(''))
  }
}

function start(out: AnthropicWriter): void {
  out.event({
    type: 'message_start',
    message: {
      id: MESSAGE_ID,
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1117, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
    },
  })
  out.event({ type: 'ping' })
}

function end(out: AnthropicWriter, stopReason: string): void {
  out.event({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 46 } })
  out.event({ type: 'message_stop' })
}

/**
 * A text answer of about `targetBytes` bytes of SSE: text deltas of 1–6 words (multi-byte UTF-8 and
 * JSON escapes included), a `ping` every ~200 events.
 * @param options - seed and size
 */
export function generateAnthropicText(options: { seed: number; targetBytes: number }): AnthropicStream {
  const random = createRandom(options.seed)
  const out = new AnthropicWriter()
  start(out)
  out.event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
  const texts: string[] = []
  while (out.byteLength < options.targetBytes) {
    const text = words(random)
    texts.push(text)
    out.event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })
    if (random.chance(0.005)) out.event({ type: 'ping' })
  }
  out.event({ type: 'content_block_stop', index: 0 })
  end(out, 'end_turn')
  return { bytes: out.bytes(), eventCount: out.eventCount, content: [{ type: 'text', text: texts.join('') }], deltas: texts.length }
}

/**
 * A short text, then one tool_use whose input, a JSON document of about `inputChars` characters,
 * streams in 4–12 character fragments; `stop_reason: "tool_use"`.
 * @param options - seed and input size
 */
export function generateAnthropicToolInput(options: {
  seed: number
  inputChars: number
}): AnthropicStream & { document: unknown; inputText: string } {
  const random = createRandom(options.seed)
  const document = generateJSONDocument(random, options.inputChars)
  const inputText = JSON.stringify(document)
  const out = new AnthropicWriter()
  start(out)
  const text = "I'll update the catalog."
  out.event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
  out.event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })
  out.event({ type: 'content_block_stop', index: 0 })
  out.event({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: TOOL_ID, name: 'upsert_catalog', input: {} } })
  const pieces = fragments(inputText, random, 4, 12)
  for (const partial_json of pieces) out.event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json } })
  out.event({ type: 'content_block_stop', index: 1 })
  end(out, 'tool_use')
  return {
    bytes: out.bytes(),
    eventCount: out.eventCount,
    content: [
      { type: 'text', text },
      { type: 'tool_use', id: TOOL_ID, name: 'upsert_catalog', input: document },
    ],
    deltas: pieces.length,
    document,
    inputText,
  }
}
