import { Readable, Writable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { main, type CliIO } from '../src/index.js'
import { packageDir } from './helpers.js'

/** A Writable that keeps what it receives, and `onWrite` to wait for something to appear. */
function capture(): Writable & { text: string; isTTY?: boolean } {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      stream.text += chunk.toString()
      done()
    },
  }) as Writable & { text: string }
  stream.text = ''
  return stream
}

function fakeIO(
  options: { stdin?: string; signal?: AbortSignal } = {},
): CliIO & { stdout: ReturnType<typeof capture>; stderr: ReturnType<typeof capture> } {
  const io = {
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    stdout: capture(),
    stderr: capture(),
    env: {},
    cwd: packageDir,
  }
  return options.signal ? { ...io, signal: options.signal } : io
}

describe('main(argv, io) in-process', () => {
  test('resolves with 0 and writes the completion to io.stdout', async () => {
    const io = fakeIO()
    expect(await main(['examples/openai-text.sse'], io)).toBe(0)
    expect(JSON.parse(io.stdout.text).choices[0].message.content).toMatch(/^The result of/)
    expect(io.stderr.text).toBe('')
  })

  test('reads io.stdin for -', async () => {
    const io = fakeIO({ stdin: 'data: {"choices":[{"index":0,"delta":{"content":"in"},"finish_reason":"stop"}]}\n\n' })
    expect(await main(['events', '-'], io)).toBe(0)
    expect(io.stdout.text.split('\n')[0]).toBe('{"type":"content.delta","index":0,"delta":"in"}')
  })

  test('resolves with 2 for bad usage instead of exiting the process', async () => {
    const io = fakeIO()
    expect(await main(['sse', '--nope'], io)).toBe(2)
    expect(io.stderr.text).toBe("deltafold: Unknown option '--nope': see 'deltafold sse --help'\n")
  })

  test('replay serves until io.signal aborts, then resolves with 0', async () => {
    const controller = new AbortController()
    const io = fakeIO({ signal: controller.signal })
    const done = main(['replay', 'examples/openai-text.sse', '--port', '0'], io)
    while (!io.stdout.text.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 10))
    const url = io.stdout.text.split('\n')[0]!
    const response = await fetch(url, { method: 'POST', body: '{}' })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(await response.text()).toContain('data: [DONE]')
    controller.abort()
    expect(await done).toBe(0)
    expect(io.stderr.text).toContain('replay stopped after 1 request\n')
  })
})
