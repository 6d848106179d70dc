import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, type ChatCompletion } from '@deltafold/core'
import { ChatCompletionDecoderStream, ChatCompletionNormalizeStream, fromResponse } from '@deltafold/web'
import { random, randomSplit } from './helpers.js'

const FORMATS = fileURLToPath(new URL('../../../test/fixtures/formats/', import.meta.url))
const ANTHROPIC = new Uint8Array(readFileSync(FORMATS + 'anthropic/mirascope-sonnet-4-0-forced-tool-long-json.sse'))
const RESPONSES = new Uint8Array(readFileSync(FORMATS + 'responses/mirascope-gpt-4o-parallel-function-calls.sse'))

/** A body stream of the bytes in random pieces. */
function body(bytes: Uint8Array, seed: number): ReadableStream<Uint8Array> {
  const pieces = randomSplit(bytes, random(seed))
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next.slice())
    },
  })
}

const withoutCreated = (c: ChatCompletion) => ({ ...c, created: 0 })

describe('the format option in @deltafold/web', () => {
  test.each([
    ['Anthropic', ANTHROPIC, 'anthropic'],
    ['Responses', RESPONSES, 'responses'],
  ] as const)("fromResponse with format 'auto' folds a recorded %s stream as the core pipeline does", async (_what, bytes, format) => {
    const expected = await accumulateChatCompletion([bytes], { format })
    expect(expected.choices[0]!.message.tool_calls?.length).toBeGreaterThan(0)
    const response = new Response(body(bytes, 7), { headers: { 'content-type': 'text/event-stream' } })
    const completion = await fromResponse(response, { format: 'auto' }).finalChatCompletion()
    expect(withoutCreated(completion)).toEqual(withoutCreated(expected))
  })

  test("ChatCompletionDecoderStream with format 'anthropic' emits the translated events and the final completion", async () => {
    const expected = await accumulateChatCompletion([ANTHROPIC], { format: 'anthropic' })
    const decoder = new ChatCompletionDecoderStream({ format: 'anthropic' })
    let args = ''
    for await (const event of body(ANTHROPIC, 11).pipeThrough(decoder)) if (event.type === 'tool_call.arguments.delta') args += event.delta
    const completion = await decoder.finalChatCompletion()
    expect(args).toBe((expected.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } }).function.arguments)
    expect(withoutCreated(completion)).toEqual(withoutCreated(expected))
  })

  test("ChatCompletionNormalizeStream with format 'auto' turns a Responses upstream into a chat chunk stream folding to the same completion", async () => {
    const expected = await accumulateChatCompletion([RESPONSES], { format: 'responses' })
    const text = await new Response(body(RESPONSES, 13).pipeThrough(new ChatCompletionNormalizeStream({ format: 'auto' }))).text()
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(text).not.toContain('response.')
    expect(await accumulateChatCompletion([text])).toEqual(expected)
  })
})
