import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { accumulateAnthropicMessage, accumulateChatCompletion, accumulateResponse, type ChatCompletion } from '@deltafold/core'
import { beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, example, packageDir, runCli } from './helpers.js'

const FORMATS = join(packageDir, '..', '..', 'test', 'fixtures', 'formats')
const THINKING = join(FORMATS, 'anthropic', 'llm-anthropic-thinking-prompt.sse')
const TOOL = join(FORMATS, 'anthropic', 'mirascope-sonnet-4-0-forced-tool-long-json.sse')
const OVERLOADED = join(FORMATS, 'anthropic', 'vercel-ai-inline-overloaded-error-midstream.sse')
const CALLS = join(FORMATS, 'responses', 'mirascope-gpt-4o-parallel-function-calls.sse')

beforeAll(() => assertBuilt())

const bytes = (path: string) => readFileSync(path)
/** Anthropic messages carry no time: the translation stamps when it saw message_start. */
const withoutCreated = (text: string) => ({ ...(JSON.parse(text) as ChatCompletion), created: 0 })

describe('deltafold [FILE|-] on the three wire formats', () => {
  test.each([
    ['an Anthropic Messages stream', THINKING, 'anthropic'],
    ['an Anthropic stream with a long tool input', TOOL, 'anthropic'],
    ['a Responses stream', CALLS, 'responses'],
  ] as const)('detects %s and prints its chat.completion translation', async (_what, path, format) => {
    const result = await runCli([path])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const expected = await accumulateChatCompletion([bytes(path)], { format })
    expect(withoutCreated(result.stdout)).toEqual({ ...expected, created: 0 })
  })

  test('--format with the right format gives the same output as auto; on stdin too', async () => {
    const auto = await runCli(['-'], { input: bytes(CALLS) })
    const explicit = await runCli(['--format', 'responses', CALLS])
    expect(explicit.code).toBe(0)
    expect(explicit.stdout).toBe(auto.stdout)
  })

  test('--text renders Anthropic thinking and text live on stderr', async () => {
    const result = await runCli(['--text', THINKING])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('The user wants two names for a pet pelican')
    expect(result.stderr).toContain('- Captain\n- Scoop')
    expect(result.stderr).toContain('[finish_reason: stop · tokens: 46 prompt + 84 completion = 130]')
  })

  test('--text renders each Responses function call with its name, call id and arguments', async () => {
    const result = await runCli(['--text', CALLS])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('→ secret_retrieval_tool call_X6173PYkiubC8YJRPzr8osHX {"password":"mellon"}')
    expect(result.stderr).toContain('→ secret_retrieval_tool call_OiUVT2dz7nh3PHrEPGnvLPyi {"password":"radiance"}')
    expect(result.stderr).toContain('finish_reason: tool_calls')
  })

  test('--text renders an Anthropic tool call arguments', async () => {
    const result = await runCli(['--text', TOOL])
    const expected = await accumulateChatCompletion([bytes(TOOL)], { format: 'anthropic' })
    const call = expected.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } }
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`→ ${call.function.name} ${call.id} `)
    expect(result.stderr).toContain(call.function.arguments.slice(0, 200))
  })

  test('--native prints the Anthropic Message the fold builds', async () => {
    const result = await runCli(['--native', THINKING])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(await accumulateAnthropicMessage([bytes(THINKING)]))
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'message', content: [{ type: 'thinking' }, { type: 'text' }] })
  })

  test('--native prints the Responses Response the fold builds, and --text still renders', async () => {
    const result = await runCli(['--native', '--text', CALLS])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(await accumulateResponse([bytes(CALLS)]))
    expect(result.stderr).toContain('→ secret_retrieval_tool')
  })

  test('--native on a chat stream prints its chat.completion', async () => {
    const plain = await runCli([example('openai-tool-call.sse')])
    const native = await runCli(['--native', example('openai-tool-call.sse')])
    expect(native.code).toBe(0)
    expect(native.stdout).toBe(plain.stdout)
  })

  test('--native on an Anthropic stream that fails prints the partial Message and exits 3', async () => {
    const result = await runCli(['--native', OVERLOADED])
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'message', role: 'assistant' })
    expect(result.stderr).toContain('Overloaded')
  })

  test('--format of another stream exits 4 naming both formats, the position said once', async () => {
    const result = await runCli(['--format', 'responses', THINKING])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain(
      "The stream is in the Anthropic Messages format, not the OpenAI Responses format asked for: pass format: 'anthropic' or 'auto'",
    )
    expect(result.stderr).toContain('[unsupported_format at $.type]')
    expect(result.stderr.match(/byte \d+/g)).toHaveLength(1)
  })

  test('--format chat refuses an Anthropic stream', async () => {
    const result = await runCli(['--format', 'chat', THINKING])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('unsupported_format')
  })

  test('an unknown --format is a usage error listing the formats', async () => {
    const result = await runCli(['--format', 'gemini', THINKING])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("deltafold: --format must be auto, chat, responses, anthropic, got 'gemini'\n")
  })

  test('events --format auto prints the translated events', async () => {
    const result = await runCli(['events', CALLS])
    expect(result.code).toBe(0)
    const types = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type)
    expect(types.filter((t) => t === 'tool_call.done')).toHaveLength(2)
    expect(types.at(-1)).toBe('done')
  })

  test('normalize turns an Anthropic stream into a chat chunk stream folding to the same completion', async () => {
    const result = await runCli(['normalize', THINKING])
    expect(result.code).toBe(0)
    expect(result.stdout.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(result.stdout).not.toContain('content_block_delta')
    const expected = await accumulateChatCompletion([bytes(THINKING)], { format: 'anthropic' })
    expect({ ...(await accumulateChatCompletion([result.stdout])), created: 0 }).toEqual({ ...expected, created: 0 })
  })

  test('--help documents --format and --native', async () => {
    const result = await runCli(['--help'])
    expect(result.stdout).toContain('--format F')
    expect(result.stdout).toContain('--native')
    expect((await runCli(['normalize', '--help'])).stdout).toContain('--format F')
  })
})
