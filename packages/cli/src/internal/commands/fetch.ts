import { createWriteStream, type WriteStream } from 'node:fs'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, type ParsedArgs } from '../args.js'
import { colorEnabled, createColors } from '../color.js'
import { EXIT } from '../exit-code.js'
import { readAll, readSmallFile } from '../input.js'
import { runResponse } from '../run-response.js'
import { UsageError } from '../usage-error.js'
import { streamOptions } from './completion.js'

const USAGE = "deltafold fetch URL -d BODY [-H 'Name: value']..."

/**
 * `deltafold fetch URL -d BODY`: POSTs to a live endpoint with `stream: true`, renders live text on
 * stderr when it is a terminal (or with `--text`), prints the final completion on stdout. HTTP
 * failures (status and body) and broken connections exit 5.
 */
export async function fetchCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  atMostPositionals(args, 1, USAGE)
  const target = args.positionals[0]
  if (target === undefined) throw new UsageError(`Missing URL: usage is ${USAGE}`)
  let url: URL
  try {
    url = new URL(target)
  } catch {
    throw new UsageError(`Invalid URL '${target}': pass an absolute http(s) URL such as http://127.0.0.1:8080/v1/chat/completions`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Unsupported URL scheme '${url.protocol}': pass an http:// or https:// URL`)
  }
  const options = streamOptions(args)
  const body = await requestBody(args.values.get('data'), io)
  const savePath = args.values.get('save')
  const save = savePath === undefined ? undefined : await openSaveFile(savePath, io)
  const headers = requestHeaders(args.lists.get('header') ?? [], io.env)

  const stderr = io.stderr
  const colors = createColors(colorEnabled(stderr.isTTY === true, io.env))
  const start = performance.now()
  let response: Response
  try {
    const init: RequestInit = { method: 'POST', headers, body: JSON.stringify(body) }
    if (io.signal) init.signal = io.signal
    response = await fetch(url, init)
  } catch (error) {
    if (io.signal?.aborted) {
      stderr.write(`deltafold: interrupted before ${url.host} answered\n`)
      return EXIT.interrupted
    }
    const cause = (error as { cause?: unknown }).cause
    const detail = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)
    stderr.write(colors.paint(colors.red, `deltafold: connection failed: POST ${url.href}: ${detail}`) + '\n')
    return EXIT.http
  }

  if (save !== undefined) response = saveBody(response, save)
  const code = await runResponse({
    response,
    origin: `POST ${url.href}`,
    mode: 'completion',
    text: args.flags.has('text') || stderr.isTTY === true ? 'stderr' : 'none',
    stats: args.flags.has('stats'),
    chunks: false,
    options,
    network: true,
    start,
    io,
  })
  if (save !== undefined) await new Promise<void>((done) => save.end(() => done()))
  return code
}

/**
 * `--save FILE`: the same response with a body that also writes every byte read, as received, to
 * FILE (the stream that is folded, or the error body that is reported).
 */
function saveBody(response: Response, file: WriteStream): Response {
  if (response.body === null) {
    file.end()
    return response
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) {
        controller.close()
        return
      }
      if (!file.write(value)) await new Promise<void>((resolve) => file.once('drain', () => resolve()))
      controller.enqueue(value)
    },
    async cancel(reason) {
      await reader.cancel(reason)
    },
  })
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/** Reads `-d`: inline JSON, `@file`, or `@-` for stdin; it must be a JSON object. */
async function requestBody(data: string | undefined, io: CliIO): Promise<Record<string, unknown>> {
  if (data === undefined) {
    throw new UsageError(`Missing request body: pass -d '{"model":"…","messages":[…]}' or -d @request.json (usage is ${USAGE})`)
  }
  let text = data
  let from = 'the -d value'
  if (data === '@-') {
    text = await readAll(io.stdin)
    from = 'stdin'
  } else if (data.startsWith('@')) {
    text = (await readSmallFile(data.slice(1), io)).toString('utf8')
    from = `'${data.slice(1)}'`
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`The request body in ${from} is not JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`The request body in ${from} must be a JSON object such as {"model":"…","messages":[…]}`)
  }
  const request: Record<string, unknown> = { ...(value as Record<string, unknown>), stream: true }
  // Ask for the usage chunk (OpenAI sends token counts only then) unless the body chose its own.
  if (!Object.hasOwn(request, 'stream_options')) request['stream_options'] = { include_usage: true }
  return request
}

/** `-H` headers over the defaults; OPENAI_API_KEY becomes a bearer token unless -H sets Authorization. */
function requestHeaders(raw: readonly string[], env: Record<string, string | undefined>): Headers {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream' })
  const key = env['OPENAI_API_KEY']
  if (key) headers.set('authorization', `Bearer ${key}`)
  for (const header of raw) {
    const colon = header.indexOf(':')
    const name = colon === -1 ? '' : header.slice(0, colon).trim()
    if (name === '') throw new UsageError(`Invalid header '${header}': write it as -H 'Name: value'`)
    try {
      headers.set(name, header.slice(colon + 1).trim())
    } catch (error) {
      throw new UsageError(`Invalid header '${header}': ${(error as Error).message}`)
    }
  }
  return headers
}

/** Opens `--save FILE` for writing (truncating it); a path that cannot be written is a usage error. */
async function openSaveFile(path: string, io: CliIO): Promise<WriteStream> {
  const stream = createWriteStream(resolve(io.cwd ?? process.cwd(), path))
  await new Promise<void>((done, fail) => {
    stream.once('open', () => done())
    stream.once('error', (error) => fail(new UsageError(`Cannot write '${path}' (--save): ${error.message}`)))
  })
  return stream
}
