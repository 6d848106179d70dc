import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, example, hasScript, runCli, runCliInTerminal, startReplay, type Replay } from './helpers.js'

const BODY = '{"model":"x","messages":[]}'
let tmp: string
const cleanups: Array<() => Promise<unknown>> = []

beforeAll(() => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'deltafold-cli-'))
})
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

async function replay(file: string, args: readonly string[] = []): Promise<Replay> {
  const server = await startReplay(file, args)
  cleanups.push(() => server.stop())
  return server
}

interface Captured {
  method: string | undefined
  url: string | undefined
  headers: IncomingHttpHeaders
  body: string
}

/** A local HTTP server answering every request with `answer`, recording what it received. */
async function httpServer(answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; requests: Captured[] }> {
  const requests: Captured[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body })
      answer(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/v1/chat/completions`, requests }
}

/** Raw HTTP request to the replay server, for what `fetch` would hide. */
function rawRequest(
  url: string,
  method: string,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; reads: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = ''
      let reads = 0
      res.on('data', (chunk: Buffer) => {
        reads++
        text += chunk.toString('latin1')
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reads }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('fetch ↔ replay', () => {
  test.each([
    ['line', []],
    ['byte', []],
    ['random', ['--seed', '42']],
    ['random', []],
  ])('--split %s %j gives back the same completion as reading the file', async (split, extra) => {
    for (const name of ['openai-tool-call.sse', 'deepseek-reasoning-tool-call.sse']) {
      const server = await replay(example(name), ['--split', split, ...extra])
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions$/)
      const fetched = await runCli(['fetch', server.url, '-d', BODY])
      const direct = await runCli([example(name)])
      expect(fetched.stderr).toBe('')
      expect(fetched.code).toBe(0)
      expect(fetched.stdout).toBe(direct.stdout)
    }
  })

  test.each(['openai-tool-call.sse', 'deepseek-reasoning.sse'])(
    'replay --from-completion streams a printed completion back into the same completion (%s)',
    async (name) => {
      const direct = await runCli([example(name)])
      const file = join(tmp, `${name}.json`)
      writeFileSync(file, direct.stdout)
      const server = await replay(file, ['--from-completion', '--fragment-size', '3', '--split', 'random', '--seed', '1'])
      const body = await rawRequest(server.url, 'POST', BODY)
      expect(body.body.endsWith('data: [DONE]\n\n')).toBe(true)
      const fetched = await runCli(['fetch', server.url, '-d', BODY])
      expect(fetched.code).toBe(0)
      expect(fetched.stdout).toBe(direct.stdout)
    },
  )

  test('replay serves the recorded bytes verbatim as text/event-stream, one line per write', async () => {
    const server = await replay(example('openai-text.sse'), ['--split', 'line', '--delay', '5'])
    const response = await rawRequest(server.url, 'POST', BODY)
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(response.body).toBe(readFileSync(example('openai-text.sse'), 'latin1'))
    // With 5 ms between writes, the lines arrive as separate reads.
    expect(response.reads).toBeGreaterThan(20)
  })

  test('replay handles many requests, concurrent ones too, until SIGTERM, then exits 0', async () => {
    const server = await replay(example('openai-tool-call.sse'), ['--split', 'random', '--seed', '7'])
    const direct = await runCli([example('openai-tool-call.sse')])
    const results = await Promise.all([1, 2, 3].map(() => runCli(['fetch', server.url, '-d', BODY])))
    for (const result of results) expect(result.stdout).toBe(direct.stdout)
    const { code, stderr } = await server.stop()
    expect(code).toBe(0)
    expect(stderr).toContain('#3 POST /v1/chat/completions -> 200, 5050 bytes in')
    expect(stderr).toContain('replay stopped after 3 requests')
  })

  test('replay exits 0 on SIGINT', async () => {
    const server = await replay(example('openai-text.sse'))
    expect((await server.stop('SIGINT')).code).toBe(0)
  })

  test('replay answers unknown paths with 404, other methods with 405 and bad JSON with 400', async () => {
    const server = await replay(example('openai-text.sse'))
    const base = server.url.replace('/v1/chat/completions', '')
    const notFound = await rawRequest(`${base}/v1/models`, 'GET')
    expect(notFound.status).toBe(404)
    expect(JSON.parse(notFound.body).error.message).toBe("Unknown path '/v1/models': POST to /v1/chat/completions")
    expect((await rawRequest(server.url, 'GET')).status).toBe(405)
    expect((await rawRequest(server.url, 'POST', '{oops')).status).toBe(400)
    expect((await rawRequest(`${base}/chat/completions`, 'POST', BODY)).status).toBe(200)
  })

  test('replay of a provider-error recording makes fetch exit 3 with the partial completion', async () => {
    const server = await replay(example('openai-provider-error.sse'), ['--split', 'byte'])
    const result = await runCli(['fetch', server.url, '-d', BODY])
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('Here is a short poem about the sea:\n\nWaves fold in')
    expect(result.stderr).toContain('deltafold: the provider sent an error at event 14 (byte 4061)')
  })

  test('replay of a malformed recording makes fetch exit 4', async () => {
    const file = join(tmp, 'malformed.sse')
    writeFileSync(file, 'data: {"choices":[{"index":0,"delta":{"content":"so far"}}]}\n\ndata: {"choices":[\n\n')
    const server = await replay(file)
    const result = await runCli(['fetch', server.url, '-d', BODY])
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('so far')
  })

  test('replay exits 2 when its port is taken', async () => {
    const server = await replay(example('openai-text.sse'))
    const port = new URL(server.url).port
    const result = await runCli(['replay', example('openai-text.sse'), '--port', port])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`deltafold: Port ${port} on 127.0.0.1 is in use: pass --port 0 for a free one\n`)
  })

  test('fetch --stats times the request and reports the first token', async () => {
    const server = await replay(example('openai-text.sse'), ['--delay', '2'])
    const result = await runCli(['fetch', server.url, '-d', BODY, '--stats'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^deltafold: 8,404 bytes · 27 chunks · \d+ events · [\d.]+ m?s · [\d.]+ MB\/s · first token [\d.]+ ms\n$/)
  })

  test.skipIf(!hasScript)('fetch renders live text when stderr is a terminal', async () => {
    const server = await replay(example('deepseek-reasoning-tool-call.sse'))
    const result = await runCliInTerminal(['fetch', server.url, '-d', BODY], { NO_COLOR: '1' })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('→ weather call_00_ioIn7yN9p1ZOMNpDLwd4MgAF {"location": "San Francisco"}')
    expect(result.stdout).toContain('"object": "chat.completion"')
  })

  test('fetch --text renders live text on stderr when it is not a terminal', async () => {
    const server = await replay(example('openai-text.sse'))
    const result = await runCli(['fetch', server.url, '-d', BODY, '--text'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^The result of/)
  })
})

describe('fetch requests', () => {
  const sse = 'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
  const answerStream = (res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(sse)
  }

  test('POSTs the body with stream:true, JSON and event-stream headers, and the API key as a bearer token', async () => {
    const server = await httpServer(answerStream)
    const result = await runCli(['fetch', server.url, '-d', '{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false}'], {
      env: { OPENAI_API_KEY: 'sk-test' },
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('ok')
    const [req] = server.requests
    expect(req?.method).toBe('POST')
    expect(JSON.parse(req!.body)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(req?.headers['authorization']).toBe('Bearer sk-test')
    expect(req?.headers['content-type']).toBe('application/json')
    expect(req?.headers['accept']).toBe('text/event-stream')
  })

  test('sends no Authorization without OPENAI_API_KEY; -H adds headers and overrides the key', async () => {
    const server = await httpServer(answerStream)
    await runCli(['fetch', server.url, '-d', BODY])
    await runCli(['fetch', server.url, '-d', BODY, '-H', 'Authorization: Bearer other', '-H', 'X-Title:  deltafold'], {
      env: { OPENAI_API_KEY: 'sk-test' },
    })
    expect(server.requests[0]?.headers['authorization']).toBeUndefined()
    expect(server.requests[1]?.headers['authorization']).toBe('Bearer other')
    expect(server.requests[1]?.headers['x-title']).toBe('deltafold')
  })

  test('-d @file and -d @- read the body from a file and from stdin', async () => {
    const server = await httpServer(answerStream)
    const file = join(tmp, 'request.json')
    writeFileSync(file, '{"model":"from-file","messages":[]}')
    expect((await runCli(['fetch', server.url, '-d', `@${file}`])).code).toBe(0)
    expect((await runCli(['fetch', server.url, '--data=@-'], { input: '{"model":"from-stdin","messages":[]}' })).code).toBe(0)
    expect(server.requests.map((r) => (JSON.parse(r.body) as { model: string }).model)).toEqual(['from-file', 'from-stdin'])
  })

  test.each([
    [401, { error: { message: 'Incorrect API key provided: sk-test', type: 'invalid_request_error', code: 'invalid_api_key' } }],
    [500, { error: { message: 'The server had an error while processing your request', type: 'server_error' } }],
  ])('5: an HTTP %i answer exits 5 with the status and the JSON body on stderr', async (status, body) => {
    const server = await httpServer((res) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    })
    const result = await runCli(['fetch', server.url, '-d', BODY])
    expect(result.code).toBe(5)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      new RegExp(
        `^deltafold: HTTP ${status} .* from POST http://127\\.0\\.0\\.1:\\d+/v1/chat/completions: The provider answered with HTTP ${status}: `,
      ),
    )
    expect(result.stderr).toContain(body.error.message)
    expect(result.stderr).toContain(JSON.stringify(body, null, 2))
  })

  test('5: a text error body is shown as it is', async () => {
    const server = await httpServer((res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html>Bad Gateway</html>')
    })
    const result = await runCli(['fetch', server.url, '-d', BODY])
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('deltafold: HTTP 502 Bad Gateway from POST')
    expect(result.stderr).toContain('<html>Bad Gateway</html>\n')
  })

  test('5: a connection that breaks mid-stream prints the partial completion', async () => {
    const server = await httpServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n', () => res.destroy())
    })
    const result = await runCli(['fetch', server.url, '-d', BODY])
    expect(result.code).toBe(5)
    expect(JSON.parse(result.stdout).choices[0].message.content).toBe('half')
    // The position is said once, where the line names it.
    expect(result.stderr).toContain(
      'deltafold: the connection failed at event 1 (byte 60): Reading the stream failed: terminated [stream_failed]\n',
    )
    expect(result.stderr).not.toContain('HTTP failure')
  })

  test('5: nothing listening on the port', async () => {
    const server = await httpServer(answerStream)
    const url = server.url
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
    const result = await runCli(['fetch', url, '-d', BODY])
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(
      /^deltafold: connection failed: POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: connect ECONNREFUSED/,
    )
  })
})

describe('fetch: request and recording', () => {
  const answerStream = (res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
  }
  test('keeps the stream_options the request body sets', async () => {
    const server = await httpServer(answerStream)
    await runCli(['fetch', server.url, '-d', '{"model":"m","messages":[],"stream_options":{"include_usage":false}}'])
    expect(JSON.parse(server.requests[0]!.body).stream_options).toEqual({ include_usage: false })
  })

  test('--save FILE writes the body byte for byte as received, and the completion is unchanged', async () => {
    const recorded = readFileSync(example('openai-tool-call.sse'))
    const server = await httpServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(recorded)
    })
    const file = join(tmp, 'saved.sse')
    const result = await runCli(['fetch', server.url, '-d', BODY, '--save', file])
    expect(result.code).toBe(0)
    expect(readFileSync(file).equals(recorded)).toBe(true)
    expect(result.stdout).toBe((await runCli([example('openai-tool-call.sse')])).stdout)
  })

  test('--save FILE also records an error body', async () => {
    const server = await httpServer((res) => {
      res.writeHead(429, { 'content-type': 'application/json' })
      res.end('{"error":{"message":"Rate limit"}}')
    })
    const file = join(tmp, 'error.json')
    const result = await runCli(['fetch', server.url, '-d', BODY, '--save', file])
    expect(result.code).toBe(5)
    expect(readFileSync(file, 'utf8')).toBe('{"error":{"message":"Rate limit"}}')
  })

  test('--save into a missing directory is bad usage, before any request', async () => {
    const server = await httpServer(answerStream)
    const result = await runCli(['fetch', server.url, '-d', BODY, '--save', join(tmp, 'no', 'such', 'dir.sse')])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('(--save)')
    expect(server.requests).toHaveLength(0)
  })
})
