import { performance } from 'node:perf_hooks'
import { checkResponse, isDeltafoldError, ProviderError } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, type ParsedArgs } from '../args.js'
import { colorEnabled, createColors } from '../color.js'
import { EXIT } from '../exit-code.js'
import { readAll, readSmallFile } from '../input.js'
import { runCompletion } from '../run-completion.js'
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
    stderr.write(colors.paint(colors.red, `deltafold: HTTP failure: POST ${url.href} failed: ${detail}`) + '\n')
    return EXIT.http
  }

  try {
    await checkResponse(response)
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    const status = error instanceof ProviderError && error.status !== undefined ? error.status : response.status
    stderr.write(colors.paint(colors.red, `deltafold: HTTP failure: ${error.message}`) + '\n')
    stderr.write(`deltafold: HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''} from POST ${url.href}, body:\n`)
    const detail = error instanceof ProviderError ? error.error : undefined
    stderr.write((typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)) + '\n')
    return EXIT.http
  }
  if (response.body === null) {
    stderr.write(colors.paint(colors.red, `deltafold: HTTP failure: HTTP ${response.status} from POST ${url.href} has no body`) + '\n')
    return EXIT.http
  }

  return runCompletion({
    source: readBody(response.body),
    mode: 'completion',
    text: args.flags.has('text') || stderr.isTTY === true ? 'stderr' : 'none',
    stats: args.flags.has('stats'),
    chunks: false,
    options,
    network: true,
    start,
    io,
  })
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
  return { ...(value as Record<string, unknown>), stream: true }
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

/** The response body as an async iterable; returning early cancels the request. */
async function* readBody(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = body.getReader()
  // The body was read to its end: nothing to cancel.
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
