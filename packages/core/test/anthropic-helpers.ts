import { createSSEDecoder, type ServerSentEvent } from '@deltafold/core'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The recorded Anthropic Messages streams (rows in test/fixtures/SOURCES.md). */
export const ANTHROPIC_DIR = fileURLToPath(new URL('../../../test/fixtures/formats/anthropic/', import.meta.url))

export interface AnthropicFixture {
  name: string
  bytes: Uint8Array
  text: string
}

/** The two recorded streams that end in an error: an `event: error`, and a second message spliced into the first. */
export const FAILING_FIXTURES = new Set(['vercel-ai-inline-overloaded-error-midstream.sse', 'vercel-ai-spliced-message-start.sse'])

/** Every `*.sse` of the Anthropic fixtures, sorted by name. */
export function anthropicFixtures(): AnthropicFixture[] {
  return readdirSync(ANTHROPIC_DIR)
    .filter((file) => file.endsWith('.sse'))
    .sort()
    .map((name) => {
      const bytes = new Uint8Array(readFileSync(ANTHROPIC_DIR + name))
      return { name, bytes, text: new TextDecoder().decode(bytes) }
    })
}

/** The SSE events of a body, the last one dispatched even without its blank line (as the pipelines do). */
export function sseEvents(input: string | Uint8Array): ServerSentEvent[] {
  const events: ServerSentEvent[] = []
  const decoder = createSSEDecoder({ onEvent: (event) => events.push(event) }, { dispatchUnterminated: true })
  decoder.feed(input)
  decoder.end()
  return events
}

/** An SSE body of Anthropic events, each with its `event:` line. */
export function anthropicSSE(events: Array<Record<string, unknown>>): string {
  return events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`).join('')
}

/** A message_start event. */
export function messageStart(id = 'msg_1', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      content: [],
      model: 'claude-test',
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
      ...extra,
    },
  }
}
