import {
  accumulateAnthropicMessage,
  createAnthropicMessageAccumulator,
  streamAnthropicMessage,
  type AnthropicMessageEvent,
} from '@deltafold/core'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { anthropicFixtures, FAILING_FIXTURES, sseEvents } from './anthropic-helpers.js'
import { splitAt } from './helpers.js'

const fixtures = anthropicFixtures()

/**
 * The events (copied when emitted: `partial` is a live value), the types of the events iterated, and
 * the final message (or error code and partial) of a body fed in the given pieces.
 */
async function run(pieces: Uint8Array[], parseInput: boolean): Promise<unknown> {
  const events: AnthropicMessageEvent[] = []
  const stream = streamAnthropicMessage(pieces, { parseInput, onEvent: (event) => events.push(JSON.parse(JSON.stringify(event))) })
  const iterated: string[] = []
  try {
    for await (const event of stream) iterated.push(event.type)
    return { events, iterated, message: await stream.finalMessage() }
  } catch (error) {
    const e = error as { code?: string; partial?: unknown }
    return { events, iterated, code: e.code, partial: e.partial }
  }
}

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (name, fixture) => {
  test('any split of the bytes gives the same events and the same message (or the same error and partial)', async () => {
    const whole = await run([fixture.bytes], true)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: fixture.bytes.length }), { maxLength: 16 }), async (cuts) => {
        expect(await run(splitAt(fixture.bytes, cuts), true)).toEqual(whole)
      }),
      { seed: 1515, numRuns: 8 },
    )
  })

  if (!FAILING_FIXTURES.has(name)) {
    test('parseInput: the last partial of each tool block equals its final input when the JSON ends in a container', async () => {
      const { events, message } = (await run([fixture.bytes], true)) as {
        events: AnthropicMessageEvent[]
        message: { content: Array<{ input?: unknown }> }
      }
      const last = new Map<number, unknown>()
      const text = new Map<number, string>()
      for (const event of events) {
        if (event.type !== 'content_block_delta' || event.delta.type !== 'input_json_delta') continue
        last.set(event.index, event.partial)
        text.set(event.index, (text.get(event.index) ?? '') + event.delta.partial_json)
      }
      for (const [index, partial] of last) {
        const input = message.content[index]!.input
        // Nothing parsed yet (all fragments empty, the input is {}): no partial value.
        if (text.get(index)!.trim() === '') expect(partial).toBeUndefined()
        else if (typeof input === 'object' && input !== null) expect(partial).toEqual(input)
      }
    })

    test('cut after any event, the partial holds every block folded so far', async () => {
      const events = sseEvents(fixture.bytes)
      const stopAt = events.findIndex((event) => event.data.includes('"message_stop"'))
      // Every event boundary, or 40 spread over the long streams (each cut re-reads its prefix).
      const step = Math.max(1, Math.floor(stopAt / 40))
      // The same events folded one by one: the snapshot after event n is the partial expected.
      const acc = createAnthropicMessageAccumulator()
      let pushed = 0
      for (let n = 1; n < stopAt; n += step) {
        for (; pushed < n; pushed++) {
          const event = events[pushed]!
          if (event.type !== 'ping' && event.data !== '') acc.push(JSON.parse(event.data))
        }
        const body = events
          .slice(0, n)
          .map((event) => `event: ${event.type}\ndata: ${event.data}\n\n`)
          .join('')
        const error = await accumulateAnthropicMessage(body).catch((e: unknown) => e as { code: string; partial: unknown })
        expect((error as { code: string }).code).toBe(
          events.slice(0, n).some((e) => e.data.includes('"message_start"')) ? 'unexpected_eof' : 'empty_stream',
        )
        expect((error as { partial: unknown }).partial).toEqual(acc.snapshot())
      }
    })
  }
})
