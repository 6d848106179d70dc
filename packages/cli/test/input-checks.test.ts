import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, example, runCli } from './helpers.js'

beforeAll(() => assertBuilt())

const toolCall = readFileSync(example('openai-tool-call.sse'), 'utf8')
/** The first `n` lines, as `head -n N file` gives them. */
const head = (text: string, n: number) => text.split('\n').slice(0, n).join('\n') + '\n'

interface EventLine {
  type: string
  partial?: unknown
}

describe('a stream cut short', () => {
  test('head -n 12 of a tool call: one warning line on stderr, exit 0, the partial completion on stdout', async () => {
    const result = await runCli(['-'], { input: head(toolCall, 12) })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].finish_reason).toBeNull()
    const warnings = result.stderr.split('\n').filter((line) => line.includes('warning'))
    expect(warnings).toEqual([
      'deltafold: warning: the stream ended without [DONE] and choice 0 has no finish_reason, the arguments of tool call 0 (call_1EYWDzueHEp8OsB8jJSEp7WB) are not valid JSON: it was probably cut short',
    ])
  })

  test('--strict still exits 4 on the same input', async () => {
    const result = await runCli(['--strict', '-'], { input: head(toolCall, 12) })
    expect(result.code).toBe(4)
  })

  test('a cut stream whose choice finished, without [DONE], gets no warning', async () => {
    const input = 'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
    const result = await runCli(['-'], { input })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })

  test('a complete stream ending in [DONE] gets no warning, and neither does "data: [DONE]" inside content', async () => {
    expect((await runCli([example('openai-tool-call.sse')])).stderr).toBe('')
    const tricky = 'data: {"choices":[{"index":0,"delta":{"content":"x\\ndata: [DONE]"}}]}\n\n'
    const result = await runCli(['-'], { input: tricky })
    expect(result.stderr).toContain('warning: the stream ended without [DONE] and choice 0 has no finish_reason')
  })

  test('the events command warns too', async () => {
    const result = await runCli(['events', '-'], { input: head(toolCall, 12) })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('deltafold: warning: the stream ended without [DONE]')
  })
})

describe('events --parse-arguments', () => {
  test('shows the partial arguments as they were at each delta of the recorded tool call', async () => {
    const result = await runCli(['events', '--parse-arguments', example('openai-tool-call.sse')])
    expect(result.code).toBe(0)
    const partials = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventLine)
      .filter((event) => event.type === 'tool_call.arguments.delta')
      .map((event) => JSON.stringify(event.partial ?? null))
    // Before per-event snapshots every line showed the final {"a":1231,"b":2331}.
    expect(partials.slice(0, 4)).toEqual(['{}', '{}', '{}', '{}'])
    expect(partials).toContain('{"a":1231}')
    expect(partials.at(-1)).toBe('{"a":1231,"b":2331}')
    expect(partials.filter((p) => p === '{"a":1231,"b":2331}')).toHaveLength(1)
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.length).toBeGreaterThanOrEqual(partials[i - 1]!.length)
  })
})

describe('curl -i / curl -D - output', () => {
  const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n\r\n'

  test('a 200 event-stream head is skipped and the body folded as usual', async () => {
    const plain = await runCli([example('openai-text.sse')])
    const input =
      crlf(['HTTP/2 200', 'content-type: text/event-stream; charset=utf-8', 'x-request-id: req_1']) +
      readFileSync(example('openai-text.sse'), 'utf8')
    const result = await runCli(['-'], { input })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(plain.stdout)
  })

  test('interim heads (100 Continue) before the final one are skipped too; LF-only heads work', async () => {
    const input =
      'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\ncontent-type: text/event-stream\n\n' + readFileSync(example('openai-text.sse'), 'utf8')
    const result = await runCli(['-'], { input })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe(
      JSON.parse((await runCli([example('openai-text.sse')])).stdout).choices[0].message.content,
    )
  })

  test.each([
    [429, 'Too Many Requests', '{"error":{"message":"Rate limit reached","type":"rate_limit"}}', 'Rate limit reached'],
    [502, 'Bad Gateway', '<html>Bad Gateway</html>', '<html>Bad Gateway</html>'],
  ])('a %i head exits 5 with the status and the body on stderr', async (status, text, body, shown) => {
    const input = crlf([`HTTP/1.1 ${status} ${text}`, `content-type: ${body.startsWith('{') ? 'application/json' : 'text/html'}`]) + body
    const result = await runCli(['events', '-'], { input })
    expect(result.code).toBe(5)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`deltafold: HTTP ${status} ${text} from stdin: The provider answered with HTTP ${status}`)
    expect(result.stderr).toContain(shown)
  })

  test('input that merely starts with "HTTP" text is not taken for a head', async () => {
    const result = await runCli(['-'], {
      input: 'HTTP is a protocol\n\ndata: {"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}\n\n',
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('x')
  })
})

describe('shipped examples', () => {
  test('example:NAME reads a stream shipped with the CLI, from any directory', async () => {
    const result = await runCli(['example:openai-tool-call'], { cwd: '/' })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe((await runCli([example('openai-tool-call.sse')])).stdout)
  })

  test('every example the help names runs from a directory without the examples', async () => {
    const help = (await runCli(['--help'])).stdout + (await runCli(['events', '--help'])).stdout + (await runCli(['sse', '--help'])).stdout
    const names = [...new Set(help.match(/example:[a-z-]+/g) ?? [])]
    expect(names.length).toBeGreaterThanOrEqual(3)
    expect(help).not.toMatch(/\bexamples\/[a-z-]+\.sse/)
    for (const name of names) expect((await runCli(['sse', name], { cwd: '/' })).code).toBe(0)
  })
})
