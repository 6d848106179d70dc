import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { expect, test } from 'vitest'
import { createChatCompletionStreamParser, type CompletionEvent } from '@deltafold/core'
import { createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import { ChatCompletionChunkStream, ChatCompletionEventStream, SSEDecoderStream, fromResponse } from '@deltafold/web'

// The recorded gpt-4o-mini tool call whose `events --parse-arguments` showed the final arguments on
// every delta line before partial values became per-event snapshots (issue 18, item 1).
const recorded = readFileSync(new URL('./fixtures/recorded/simonw-llm/openai-gpt-4o-mini-tool-call.sse', import.meta.url))

/** The partial of each tool_call.arguments.delta, as JSON text. */
function partials(events: readonly CompletionEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'tool_call.arguments.delta' ? [JSON.stringify(event.partial ?? null)] : []))
}

/** What the sync onEvent path saw, serialized inside the listener (the moment of each event). */
function seenByOnEvent(): string[] {
  const seen: string[] = []
  const parser = createChatCompletionStreamParser({
    parseArguments: true,
    onEvent(event) {
      if (event.type === 'tool_call.arguments.delta') seen.push(JSON.stringify(event.partial ?? null))
    },
  })
  parser.feed(recorded)
  parser.end()
  return seen
}

const expected = seenByOnEvent()

test('the onEvent path sees the arguments grow, ending with the final value once', () => {
  expect(expected.at(-1)).toBe('{"a":1231,"b":2331}')
  expect(expected.filter((p) => p === expected.at(-1))).toHaveLength(1)
})

test('web fromResponse: events read by for await keep the value of their moment', async () => {
  const { events } = fromResponse(new Response(recorded, { headers: { 'content-type': 'text/event-stream' } }), { parseArguments: true })
  const collected: CompletionEvent[] = []
  for await (const event of events) collected.push(event)
  expect(partials(collected)).toEqual(expected)
})

test('web pipeline: ChatCompletionEventStream events read after the queues filled are per-event values', async () => {
  const eventStream = new ChatCompletionEventStream({ parseArguments: true })
  const readable = new Response(recorded)
    .body!.pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
    .pipeThrough(new ChatCompletionChunkStream())
    .pipeThrough(eventStream)
  // Let the body flow into the streams' queues (as far as backpressure allows) before reading.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const collected: CompletionEvent[] = []
  for await (const event of readable as unknown as AsyncIterable<CompletionEvent>) collected.push(event)
  expect(partials(collected)).toEqual(expected)
})

test('node createEventTransform: events collected and read only at the end are per-event values', async () => {
  const collected: CompletionEvent[] = []
  await pipeline(
    Readable.from([recorded]),
    createSSEDecoderTransform({ dispatchUnterminated: true }),
    createChunkTransform(),
    createEventTransform({ parseArguments: true }),
    async (source: AsyncIterable<CompletionEvent>) => {
      for await (const event of source) collected.push(event)
    },
  )
  expect(partials(collected)).toEqual(expected)
})
