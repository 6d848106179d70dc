import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, type ChatCompletion } from '@deltafold/core'
import { accumulateFromReadable, createNormalizeTransform } from '@deltafold/node'

const FORMATS = fileURLToPath(new URL('../../../test/fixtures/formats/', import.meta.url))
const ANTHROPIC = readFileSync(FORMATS + 'anthropic/llm-anthropic-thinking-prompt.sse')
const RESPONSES = readFileSync(FORMATS + 'responses/mirascope-gpt-4o-parallel-function-calls.sse')

/** The bytes as a Readable of 7-byte pieces. */
const readable = (bytes: Buffer) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7)))
const withoutCreated = (c: ChatCompletion) => ({ ...c, created: 0 })

describe('the format option in @deltafold/node', () => {
  test.each([
    ['Anthropic', ANTHROPIC, 'anthropic'],
    ['Responses', RESPONSES, 'responses'],
  ] as const)(
    "accumulateFromReadable with format 'auto' folds a recorded %s stream as the core pipeline does",
    async (_what, bytes, format) => {
      const expected = await accumulateChatCompletion([bytes], { format })
      const completion = await accumulateFromReadable(readable(bytes), { format: 'auto' })
      expect(withoutCreated(completion)).toEqual(withoutCreated(expected))
    },
  )

  test('accumulateFromReadable with an explicit format of another stream rejects unsupported_format with partial', async () => {
    await expect(accumulateFromReadable(readable(ANTHROPIC), { format: 'responses' })).rejects.toMatchObject({
      code: 'unsupported_format',
      eventNumber: 1,
      partial: { object: 'chat.completion' },
    })
  })

  test("createNormalizeTransform with format 'auto' turns an Anthropic upstream into a chat chunk stream folding to the same completion", async () => {
    const expected = await accumulateChatCompletion([ANTHROPIC], { format: 'anthropic' })
    expect(expected.choices[0]!.message.reasoning_content).toBeTruthy()
    const out = await text(readable(ANTHROPIC).pipe(createNormalizeTransform({ format: 'auto' })))
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(withoutCreated(await accumulateChatCompletion([out]))).toEqual(withoutCreated(expected))
  })
})
