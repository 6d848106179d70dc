import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { accumulateChatCompletion } from '@deltafold/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, cleanEnv, cliPath, example, hasScript, packageDir, runCli, runCliInTerminal } from './helpers.js'

const ANSI = /\x1b\[/
let tmp: string

beforeAll(() => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'deltafold-cli-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function tmpFile(name: string, content: string): string {
  const path = join(tmp, name)
  writeFileSync(path, content)
  return path
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe('deltafold [FILE|-]', () => {
  test.each(['openai-text.sse', 'openai-tool-call.sse', 'deepseek-reasoning.sse', 'deepseek-reasoning-tool-call.sse'])(
    'prints the same final completion as accumulateChatCompletion for %s',
    async (name) => {
      const result = await runCli([example(name)])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout.endsWith('}\n')).toBe(true)
      expect(JSON.parse(result.stdout)).toEqual(await accumulateChatCompletion(readFileSync(example(name))))
    },
  )

  test('prints the tool call of a recorded OpenAI stream, pretty-printed', async () => {
    const result = await runCli([example('openai-tool-call.sse')])
    const completion = JSON.parse(result.stdout)
    expect(completion.choices[0].message.tool_calls[0].function).toEqual({ name: 'multiply', arguments: '{"a":1231,"b":2331}' })
    expect(completion.choices[0].finish_reason).toBe('tool_calls')
    expect(result.stdout).toContain('\n  "choices": [\n')
  })

  test('reads stdin when given -', async () => {
    const result = await runCli(['-'], { input: readFileSync(example('openai-text.sse')) })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.content).toMatch(/^The result of/)
  })

  test('reads stdin when no FILE is given and stdin is not a terminal', async () => {
    const result = await runCli(['--strict'], {
      input: 'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n',
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('hi')
  })

  test('resolves a relative FILE against the working directory', async () => {
    const result = await runCli(['examples/openai-text.sse'], { cwd: packageDir })
    expect(result.code).toBe(0)
  })

  test('--text renders the text live on stderr and still prints the JSON on stdout', async () => {
    const result = await runCli(['--text', example('deepseek-reasoning-tool-call.sse')])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.tool_calls[0].function.name).toBe('weather')
    expect(result.stderr).toContain('The user is asking for the weather in San Francisco.')
    expect(result.stderr).toContain('→ weather call_00_ioIn7yN9p1ZOMNpDLwd4MgAF {"location": "San Francisco"}\n')
    expect(result.stderr).toContain('[finish_reason: tool_calls · tokens: 339 prompt + 83 completion = 422]')
    expect(result.stderr).not.toMatch(ANSI)
  })

  test('--text separates the reasoning from the answer with a blank line', async () => {
    const result = await runCli(['--text', example('deepseek-reasoning.sse')])
    expect(result.stderr).toContain('Thus, the answer is 3.\n\nThe word "strawberry" contains three "r"s.')
  })

  test('--text turns control characters in the model output into visible escapes', async () => {
    const file = tmpFile('escape.sse', 'data: {"choices":[{"index":0,"delta":{"content":"a\\u001b[2Jb\\r\\nc"}}]}\n\n')
    const result = await runCli(['--text', file])
    expect(result.stderr).toContain('a\\u001b[2Jb\nc')
    expect(result.stderr).not.toMatch(ANSI)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('a\x1b[2Jb\r\nc')
  })

  test('--text labels each choice when a stream has several', async () => {
    const file = tmpFile(
      'two-choices.sse',
      'data: {"choices":[{"index":0,"delta":{"content":"zero"}},{"index":1,"delta":{"content":"one"}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"length"}]}\n\n',
    )
    const result = await runCli(['--text', file])
    expect(result.stderr).toBe('[choice 0] zero\n[choice 1] one\n[finish_reason: choice 0: stop, choice 1: length]\n')
  })

  test('--stats reports bytes, chunks, events, time, throughput and time to first token on stderr', async () => {
    const result = await runCli(['--stats', example('openai-tool-call.sse')])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(
      /^deltafold: 5,050 bytes · 14 chunks · \d+ events · [\d.]+ m?s · [\d.]+ MB\/s · first token [\d.]+ m?s\n$/,
    )
  })

  test('--parse-arguments does not change the final completion', async () => {
    const plain = await runCli([example('openai-tool-call.sse')])
    const parsed = await runCli(['--parse-arguments', example('openai-tool-call.sse')])
    expect(parsed.stdout).toBe(plain.stdout)
  })
})

describe('deltafold events', () => {
  test('prints one typed event per line, ending with done', async () => {
    const result = await runCli(['events', example('openai-tool-call.sse')])
    expect(result.code).toBe(0)
    const events = ndjson(result.stdout)
    expect(events.map((e) => e.type)).toEqual([
      'role',
      'tool_call.start',
      ...Array<string>(11).fill('tool_call.arguments.delta'),
      'tool_call.done',
      'finish',
      'usage',
      'done',
    ])
    expect(events[1]).toEqual({
      type: 'tool_call.start',
      index: 0,
      toolCallIndex: 0,
      id: 'call_1EYWDzueHEp8OsB8jJSEp7WB',
      name: 'multiply',
    })
    expect((events.at(-1)!.completion as { id: string }).id).toBe('chatcmpl-BWlJBDk2xe66hjff60joVYpXi1hh4')
  })

  test('--chunks adds the raw chunk events', async () => {
    const result = await runCli(['events', '--chunks', example('openai-tool-call.sse')])
    expect(ndjson(result.stdout).filter((e) => e.type === 'chunk')).toHaveLength(14)
  })

  test('--parse-arguments adds partial and parsed arguments', async () => {
    const result = await runCli(['events', '--parse-arguments', example('openai-tool-call.sse')])
    const done = ndjson(result.stdout).find((e) => e.type === 'tool_call.done')
    expect(done?.parsed).toEqual({ a: 1231, b: 2331 })
  })

  test('reads stdin', async () => {
    const result = await runCli(['events', '-'], { input: readFileSync(example('deepseek-reasoning.sse')) })
    expect(result.code).toBe(0)
    expect(ndjson(result.stdout).filter((e) => e.type === 'reasoning.delta').length).toBeGreaterThan(100)
  })

  test('--text renders on stdout instead of NDJSON', async () => {
    const result = await runCli(['events', '--text', example('openai-text.sse')])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^The result of/)
    expect(result.stdout).not.toContain('"type"')
  })

  test('ends with an error line carrying the partial completion when the stream is malformed', async () => {
    const file = tmpFile('bad.sse', 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {oops\n\n')
    const result = await runCli(['events', file])
    expect(result.code).toBe(4)
    const last = ndjson(result.stdout).at(-1)!
    expect(last).toMatchObject({ type: 'error', exitCode: 4, code: 'invalid_json', eventNumber: 2, byteOffset: 70 })
    expect((last.partial as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('hi')
  })
})

describe('deltafold sse', () => {
  test('prints every event as {type,data,lastEventId} and retry fields as {retry}', async () => {
    const file = tmpFile('fields.sse', ': hello\nretry: 1500\nevent: ping\nid: 7\ndata: a\ndata: b\n\ndata: [DONE]\n\n')
    const result = await runCli(['sse', file])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      '{"retry":1500}\n{"type":"ping","data":"a\\nb","lastEventId":"7"}\n{"type":"message","data":"[DONE]","lastEventId":"7"}\n',
    )
  })

  test('--comments adds comment lines', async () => {
    const file = tmpFile('comments.sse', ': OPENROUTER PROCESSING\n\ndata: x\n\n')
    const result = await runCli(['sse', '--comments', file])
    expect(ndjson(result.stdout)).toEqual([{ comment: 'OPENROUTER PROCESSING' }, { type: 'message', data: 'x', lastEventId: '' }])
  })

  test('prints an event left unterminated at the end of the input', async () => {
    const result = await runCli(['sse', '-'], { input: 'data: one\n\ndata: [DONE]' })
    expect(ndjson(result.stdout).map((e) => e.data)).toEqual(['one', '[DONE]'])
  })

  test('prints a recorded stream event by event, data untouched', async () => {
    const result = await runCli(['sse', '--stats', example('openai-tool-call.sse')])
    const events = ndjson(result.stdout)
    expect(events).toHaveLength(15)
    expect(events.at(-1)).toEqual({ type: 'message', data: '[DONE]', lastEventId: '' })
    expect(result.stderr).toMatch(/^deltafold: 5,050 bytes · 15 events · /)
  })

  test('--max-event-bytes: exits 4 on an event above the limit, with its position', async () => {
    const result = await runCli(['sse', '--max-event-bytes', '100', example('openai-text.sse')])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('deltafold: malformed stream at event 1 (byte 0): SSE event exceeds maxEventBytes (100)')
  })
})

describe('exit codes', () => {
  test('3: the provider sent an error payload; the partial completion is still on stdout', async () => {
    const result = await runCli([example('openai-provider-error.sse')])
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('Here is a short poem about the sea:\n\nWaves fold in')
    expect(result.stderr).toContain(
      'deltafold: the provider sent an error at event 14 (byte 4061): The server had an error processing your request.',
    )
    expect(result.stderr).toContain('"type":"server_error","param":null,"code":"server_error"')
    expect(result.stderr).toContain('the partial completion received so far is on stdout')
  })

  test('3: an `event: error` is a provider error too', async () => {
    const result = await runCli(['-'], {
      input: 'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\nevent: error\ndata: {"error":{"message":"overloaded"}}\n\n',
    })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('deltafold: the provider sent an error at event 2 (byte 111): overloaded')
  })

  test('4: invalid chunk JSON prints the partial completion and the event number and byte offset', async () => {
    const file = tmpFile(
      'truncated.sse',
      readFileSync(example('openai-tool-call.sse'), 'utf8').replace('"arguments":"b"', '"arguments":"b'),
    )
    const result = await runCli([file])
    expect(result.code).toBe(4)
    const partial = JSON.parse(result.stdout)
    expect(partial.choices[0].message.tool_calls[0].function.arguments).toBe('{"a":1231,"')
    expect(result.stderr).toMatch(/^deltafold: malformed stream at event 8 \(byte \d+\): Invalid JSON in event 8 .*\[invalid_json\]$/m)
  })

  test('4: --strict turns a stream that stops before finishing into an error', async () => {
    const input = 'data: {"choices":[{"index":0,"delta":{"content":"cut"}}]}\n\n'
    expect((await runCli(['-'], { input })).code).toBe(0)
    const strict = await runCli(['--strict', '-'], { input })
    expect(strict.code).toBe(4)
    expect(strict.stderr).toContain(
      'deltafold: malformed stream at event 1 (byte 59): The stream ended before choice 0 sent a finish_reason (strict mode) [unexpected_eof at $.choices[0].finish_reason]',
    )
    expect(JSON.parse(strict.stdout).choices[0].message.content).toBe('cut')
  })

  test('4: --max-event-bytes applies to the completion pipeline', async () => {
    const result = await runCli(['--max-event-bytes', '64', example('openai-text.sse')])
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout).object).toBe('chat.completion')
  })

  test('130: SIGINT while reading prints the partial completion', async () => {
    const child = spawn(process.execPath, [cliPath, 'events', '-'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    // The stream stays open after its first chunk, like a provider still generating; the signal
    // is sent once that chunk's event is out, so the CLI is certainly listening for it.
    child.stdin.write('data: {"choices":[{"index":0,"delta":{"content":"so far"}}]}\n\n')
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8')
        if (stdout.includes('content.delta')) resolve()
      }),
    )
    child.kill('SIGINT')
    expect(await closed).toBe(130)
    const last = ndjson(stdout).at(-1)!
    expect(last).toMatchObject({ type: 'error', exitCode: 130, message: 'stopped by Ctrl-C (SIGINT)' })
    expect((last.partial as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('so far')
    expect(stderr).toContain('deltafold: stopped by Ctrl-C (SIGINT)\n')
    expect(stderr).not.toContain('Interrupted')
  })

  test.each([
    [['--bogus'], "Unknown option '--bogus': see 'deltafold --help'"],
    [['events', '--comments', 'x.sse'], "Unknown option '--comments': see 'deltafold events --help'"],
    [['sse', '--text', 'x.sse'], "Unknown option '--text': see 'deltafold sse --help'"],
    [['missing.sse'], "Cannot read 'missing.sse': no such file (commands are events, sse, fetch and replay; pass - to read stdin)"],
    [['evnts'], "Unknown command 'evnts': did you mean 'deltafold events'?"],
    [['evnts', 'x.sse'], "Unknown command 'evnts': did you mean 'deltafold events'?"],
    [['fetc', 'http://x'], "Unknown command 'fetc': did you mean 'deltafold fetch'?"],
    [['example:nope'], "No example 'nope': the examples are example:deepseek-reasoning, "],
    [['bogus'], "Cannot read 'bogus': no such file"],
    [['events', 'examples'], "Cannot read 'examples': it is a directory"],
    [['a.sse', 'b.sse'], "Unexpected argument 'b.sse': usage is deltafold [FILE|-] [options]"],
    [['--max-event-bytes', 'lots', 'x.sse'], "Option '--max-event-bytes' must be an integer from 1 to"],
    [['--max-event-bytes'], "Option '--max-event-bytes' needs a value"],
    [['--text=yes'], "Option '--text' takes no value"],
    [['fetch'], 'Missing URL: usage is deltafold fetch URL'],
    [['fetch', 'not a url', '-d', '{}'], "Invalid URL 'not a url'"],
    [['fetch', 'ftp://example.com/', '-d', '{}'], "Unsupported URL scheme 'ftp:'"],
    [['fetch', 'http://127.0.0.1:9/v1/chat/completions'], 'Missing request body'],
    [['fetch', 'http://127.0.0.1:9/', '-d', '{not json'], 'The request body in the -d value is not JSON'],
    [['fetch', 'http://127.0.0.1:9/', '-d', '[1]'], 'The request body in the -d value must be a JSON object'],
    [['fetch', 'http://127.0.0.1:9/', '-d', '@nope.json'], "Cannot read 'nope.json': no such file"],
    [['fetch', 'http://127.0.0.1:9/', '-d', '{}', '-H', 'NoColon'], "Invalid header 'NoColon'"],
    [['replay'], 'Missing FILE'],
    [['replay', 'nope.sse'], "Cannot read 'nope.sse': no such file"],
    [['replay', 'examples/openai-text.sse', '--split', 'word'], "Option '--split' must be one of random, line, byte, got 'word'"],
    [['replay', 'examples/openai-text.sse', '--port', '70000'], "Option '--port' must be an integer from 0 to 65535"],
    [['replay', 'examples/openai-text.sse', '--seed', '1'], "Option '--seed' only applies to --split random"],
    [['replay', 'examples/openai-text.sse', '--fragment-size', '2'], "Option '--fragment-size' only applies to --from-completion"],
    [
      ['replay', '--from-completion', 'examples/openai-text.sse'],
      "'examples/openai-text.sse' is not JSON (--from-completion reads a chat.completion object)",
    ],
    [['replay', '--from-completion', 'package.json'], "'package.json' is not a chat.completion: "],
    [['help', 'nope'], "No help for 'nope'"],
  ])('2: bad usage %j prints a one-line hint', async (args, message) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.startsWith(`deltafold: ${message}`)).toBe(true)
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  test.skipIf(!hasScript)('2: no FILE while stdin is a terminal, instead of waiting for typing', async () => {
    const result = await runCliInTerminal([])
    expect(result.code).toBe(2)
    expect(result.stdout).toContain('deltafold: No input: pass a FILE, or pipe a stream into stdin')
  })
})

describe('help and version', () => {
  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
    for (const args of [['--version'], ['events', '--version']]) {
      const result = await runCli(args)
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' })
    }
  })

  test.each([
    [[], '--help', 'deltafold - turn the raw bytes'],
    [['events'], '--help', 'deltafold events - one typed CompletionEvent per line'],
    [['sse'], '-h', 'deltafold sse - raw Server-Sent Events'],
    [['fetch'], '--help', 'deltafold fetch - stream a chat completion'],
    [['replay'], '--help', 'deltafold replay - serve a recorded stream'],
  ])('%j %s prints help with examples', async (command, flag, title) => {
    const result = await runCli([...command, flag])
    expect(result.code).toBe(0)
    expect(result.stdout.startsWith(title)).toBe(true)
    expect(result.stdout).toContain('\nExamples\n')
    expect(result.stderr).toBe('')
  })

  test('help COMMAND is the same as COMMAND --help', async () => {
    expect((await runCli(['help', 'replay'])).stdout).toBe((await runCli(['replay', '--help'])).stdout)
  })
})

describe('colours', () => {
  test('are off when stderr is not a terminal', async () => {
    const result = await runCli(['--text', example('deepseek-reasoning-tool-call.sse')])
    expect(result.stderr).not.toMatch(ANSI)
  })

  test('FORCE_COLOR forces them on: reasoning dimmed, tool name cyan, arguments yellow', async () => {
    const result = await runCli(['--text', example('deepseek-reasoning-tool-call.sse')], { env: { FORCE_COLOR: '1' } })
    expect(result.stderr).toContain('\x1b[2mThe user is asking for the weather')
    expect(result.stderr).toContain('\x1b[36m\x1b[1m→ weather\x1b[22m\x1b[39m')
    expect(result.stderr).toContain('\x1b[33m{"location": "San Francisco"}\x1b[39m')
    expect(result.stdout).not.toMatch(ANSI)
  })

  test.skipIf(!hasScript)('are on in a terminal', async () => {
    const result = await runCliInTerminal(['--text', example('deepseek-reasoning-tool-call.sse')])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('\x1b[2mThe user is asking for the weather')
  })

  test.skipIf(!hasScript)('NO_COLOR turns them off in a terminal', async () => {
    const result = await runCliInTerminal(['--text', example('deepseek-reasoning-tool-call.sse')], { NO_COLOR: '1' })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('The user is asking for the weather')
    expect(result.stdout).not.toMatch(ANSI)
  })
})

describe('package', () => {
  test('the examples are byte-for-byte copies of the recorded fixtures SOURCES.md names', () => {
    const sources = readFileSync(example('SOURCES.md'), 'utf8')
    const rows = [...sources.matchAll(/^\| `([\w.-]+\.sse)` +\| `([\w./-]+\.sse)` +\|/gm)]
    expect(rows.map((row) => row[1])).toEqual([
      'openai-text.sse',
      'openai-tool-call.sse',
      'deepseek-reasoning.sse',
      'deepseek-reasoning-tool-call.sse',
    ])
    for (const [, name, fixture] of rows) {
      const original = readFileSync(join(packageDir, '..', '..', 'test', 'fixtures', 'recorded', fixture!))
      expect(readFileSync(example(name!)).equals(original), `${name} differs from ${fixture}`).toBe(true)
    }
  })

  test('declares the deltafold bin, ships the examples, and the bin starts with a shebang', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: unknown; files: string[] }
    expect(pkg.bin).toEqual({ deltafold: './dist/cli.js' })
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'examples']))
    expect(readFileSync(join(packageDir, 'dist', 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })
})
