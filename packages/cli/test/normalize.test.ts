import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, test } from 'vitest'
import { accumulateChatCompletion, createChatCompletionNormalizer } from '@deltafold/core'
import { assertBuilt, example, runCli } from './helpers.js'

beforeAll(() => assertBuilt())

const payloadsOf = (text: string) =>
  text
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => e.replace(/^data: /, ''))

describe('deltafold normalize', () => {
  test.each(['openai-text.sse', 'openai-tool-call.sse', 'deepseek-reasoning.sse', 'deepseek-reasoning-tool-call.sse'])(
    'writes the bytes of core createChatCompletionNormalizer for %s and exits 0',
    async (name) => {
      const input = readFileSync(example(name))
      const normalizer = createChatCompletionNormalizer()
      const expected = normalizer.feed(input) + normalizer.end()
      const result = await runCli(['normalize', example(name)])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toBe(expected)
      expect(payloadsOf(result.stdout).at(-1)).toBe('[DONE]')
    },
  )

  test('reads stdin with - and folds to the same completion as the input', async () => {
    const input = readFileSync(example('openai-tool-call.sse'))
    const result = await runCli(['normalize', '-'], { input })
    expect(result.code).toBe(0)
    expect(await accumulateChatCompletion([result.stdout])).toEqual(await accumulateChatCompletion([input]))
  })

  test('--reasoning-field reasoning writes reasoning under reasoning', async () => {
    const result = await runCli(['normalize', example('deepseek-reasoning.sse'), '--reasoning-field', 'reasoning'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('"reasoning":')
    expect(result.stdout).not.toContain('"reasoning_content":')
  })

  test('a provider error is written as an error event and exits 3', async () => {
    const result = await runCli(['normalize', example('openai-provider-error.sse')])
    expect(result.code).toBe(3)
    const last = JSON.parse(payloadsOf(result.stdout).at(-1)!)
    expect(last.error).toBeTypeOf('object')
    expect(result.stdout).not.toContain('[DONE]')
    expect(result.stderr).toContain('provider error')
  })

  test('a malformed stream ends with an invalid_stream error event and exits 4', async () => {
    const input = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {oops\n\n'
    const result = await runCli(['normalize', '-'], { input })
    expect(result.code).toBe(4)
    const events = payloadsOf(result.stdout).map((p) => JSON.parse(p))
    expect(events[0].choices[0].delta.content).toBe('Hi')
    expect(events.at(-1).error).toMatchObject({ type: 'invalid_stream', code: 'invalid_json' })
    expect(result.stderr).toContain('invalid_json')
  })

  test('--fail-closed stops the output at a malformed event and exits 4', async () => {
    const input = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {oops\n\n'
    const result = await runCli(['normalize', '-', '--fail-closed'], { input })
    expect(result.code).toBe(4)
    expect(result.stdout).not.toContain('error')
    expect(result.stderr).toContain('invalid_json')
  })

  test('--reasoning-field with another value is a usage error naming the choices', async () => {
    const result = await runCli(['normalize', '-', '--reasoning-field', 'thoughts'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('reasoning_content or reasoning')
  })

  test('--help describes the command', async () => {
    const result = await runCli(['normalize', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('deltafold normalize [FILE|-]')
  })
})
