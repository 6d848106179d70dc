import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { basename } from 'node:path'
import { toSSEStream, type ChatCompletion } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, integerOption, type ParsedArgs } from '../args.js'
import { EXIT } from '../exit-code.js'
import { readSmallFile } from '../input.js'
import { UsageError } from '../usage-error.js'

const USAGE = 'deltafold replay [--from-completion] FILE [--port N] [--host H] [--delay MS] [--split random|line|byte]'
const SPLITS = ['random', 'line', 'byte'] as const
type Split = (typeof SPLITS)[number]
const PATHS = new Set(['/v1/chat/completions', '/chat/completions'])
// Request bodies are read only to be validated as JSON; anything bigger is refused with 413.
const MAX_REQUEST_BYTES = 16 * 1024 * 1024
const LF = 10
const CR = 13

/**
 * `deltafold replay FILE`: an HTTP server that answers every POST /v1/chat/completions with the
 * recorded bytes as `text/event-stream`, cut into writes by `--split` with `--delay` ms between
 * them. Prints its URL as the first stdout line; runs until `io.signal` fires (SIGINT/SIGTERM).
 */
export async function replayCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  atMostPositionals(args, 1, USAGE)
  const file = args.positionals[0]
  if (file === undefined) throw new UsageError(`Missing FILE: usage is ${USAGE}`)
  const port = integerOption(args, 'port', 0, 65535, 8080)
  const host = args.values.get('host') ?? '127.0.0.1'
  const delay = integerOption(args, 'delay', 0, 3_600_000, 0)
  const split = (args.values.get('split') ?? 'line') as Split
  if (!SPLITS.includes(split)) throw new UsageError(`Option '--split' must be one of ${SPLITS.join(', ')}, got '${split}'`)
  const seedOption = integerOption(args, 'seed', 0, 0xffffffff)
  if (args.values.has('seed') && split !== 'random') throw new UsageError(`Option '--seed' only applies to --split random`)
  const fromCompletion = args.flags.has('from-completion')
  const fragmentSize = integerOption(args, 'fragment-size', 1, 1_000_000)
  if (fragmentSize !== undefined && !fromCompletion) throw new UsageError(`Option '--fragment-size' only applies to --from-completion`)
  // Recorded streams are small (kilobytes): read once, served from memory to every request.
  const raw = await readSmallFile(file, io)
  const bytes = fromCompletion ? await encodeCompletion(raw, file, fragmentSize) : raw
  const name = basename(file)
  const seed = seedOption ?? (Math.random() * 0x100000000) >>> 0
  if (split === 'random' && seedOption === undefined) io.stderr.write(`deltafold: --split random with --seed ${seed}\n`)
  let requests = 0

  const server = createServer((req, res) => {
    const number = ++requests
    // Each request gets its own generator so that concurrent requests replay the same pieces.
    const pieces = split === 'random' ? randomPieces(bytes, mulberry32(seed)) : split === 'line' ? linePieces(bytes) : bytePieces(bytes)
    handle(req, res, pieces, delay, name).then(
      (written) => io.stderr.write(`deltafold: #${number} ${req.method} ${req.url} -> ${written}\n`),
      (error: unknown) => io.stderr.write(`deltafold: #${number} failed: ${error instanceof Error ? error.message : String(error)}\n`),
    )
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.removeListener('error', reject)
        resolve()
      })
    })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'EADDRINUSE') throw new UsageError(`Port ${port} on ${host} is in use: pass --port 0 for a free one`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`Cannot listen on host '${host}': pass a local address such as 127.0.0.1`)
    if (code === 'EACCES') throw new UsageError(`No permission to listen on port ${port}: pass a port above 1023`)
    throw error
  }
  const address = server.address()
  const realPort = typeof address === 'object' && address !== null ? address.port : port
  const shownHost = host.includes(':') ? `[${host}]` : host
  io.stdout.write(`http://${shownHost}:${realPort}/v1/chat/completions\n`)
  const what = fromCompletion ? `${name} as a stream` : name
  io.stderr.write(`deltafold: replaying ${what} (${bytes.length} bytes, --split ${split}, --delay ${delay}); Ctrl-C to stop\n`)

  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) return resolve()
    io.signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    // Streams in flight are cut: a client sees the connection close, as with a provider restart.
    server.closeAllConnections()
  })
  io.stderr.write(`deltafold: replay stopped after ${requests} request${requests === 1 ? '' : 's'}\n`)
  return EXIT.ok
}

/**
 * `--from-completion`: FILE holds a `chat.completion` (what `deltafold FILE.sse` prints); core's
 * `toSSEStream` turns it into the chunk events a provider would send, ending with `data: [DONE]`.
 */
async function encodeCompletion(raw: Buffer, file: string, fragmentSize: number | undefined): Promise<Buffer> {
  let completion: unknown
  try {
    completion = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new UsageError(`'${file}' is not JSON (--from-completion reads a chat.completion object): ${(error as Error).message}`)
  }
  let stream: ReadableStream<Uint8Array>
  try {
    stream = toSSEStream(completion as ChatCompletion, fragmentSize === undefined ? {} : { fragmentSize })
  } catch (error) {
    throw new UsageError(`'${file}' is not a chat.completion: ${(error as Error).message}`)
  }
  const parts: Uint8Array[] = []
  const reader = stream.getReader()
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  return Buffer.concat(parts)
}

/** Answers one request; resolves with a short description for the log line. */
async function handle(req: IncomingMessage, res: ServerResponse, pieces: Iterable<Buffer>, delay: number, name: string): Promise<string> {
  res.setHeader('access-control-allow-origin', '*')
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  if (req.method === 'OPTIONS') {
    // CORS preflight, so browser clients can be tested against the replay too.
    res.writeHead(204, {
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    })
    res.end()
    return '204'
  }
  if (!PATHS.has(path)) return jsonError(res, 404, `Unknown path '${path}': POST to /v1/chat/completions`, 'invalid_request_error')
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST, OPTIONS')
    return jsonError(res, 405, `Method ${req.method ?? ''} is not allowed: POST to /v1/chat/completions`, 'invalid_request_error')
  }
  const body = await readRequest(req)
  if (body === undefined) return jsonError(res, 413, `Request body exceeds ${MAX_REQUEST_BYTES} bytes`, 'invalid_request_error')
  if (body.length > 0) {
    try {
      JSON.parse(body)
    } catch {
      return jsonError(res, 400, 'The request body is not valid JSON', 'invalid_request_error')
    }
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-deltafold-replay': name,
  })
  res.flushHeaders()
  // The client hung up: stop writing.
  let gone = false
  res.once('close', () => {
    gone = !res.writableFinished
  })
  let writes = 0
  let sent = 0
  for (const piece of pieces) {
    if (gone || res.destroyed) return `200, client left after ${sent} bytes`
    if (delay > 0 && writes > 0) await sleep(delay)
    // Waiting for each write to reach the socket keeps the pieces apart on the wire (and bounds memory).
    await new Promise<void>((resolve) => res.write(piece, () => resolve()))
    writes++
    sent += piece.length
  }
  await new Promise<void>((resolve) => res.end(resolve))
  return `200, ${sent} bytes in ${writes} writes`
}

function jsonError(res: ServerResponse, status: number, message: string, type: string): string {
  const body = JSON.stringify({ error: { message, type, param: null, code: null } })
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body)
  return String(status)
}

/** Reads the request body as text, or `undefined` past {@link MAX_REQUEST_BYTES}. */
async function readRequest(req: IncomingMessage): Promise<string | undefined> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_REQUEST_BYTES) return undefined
    parts.push(chunk)
  }
  return Buffer.concat(parts).toString('utf8')
}

/** One line per piece, with its terminator: LF, CRLF, or a lone CR. */
function* linePieces(bytes: Buffer): Generator<Buffer> {
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (b === LF || (b === CR && bytes[i + 1] !== LF)) {
      yield bytes.subarray(start, i + 1)
      start = i + 1
    }
  }
  if (start < bytes.length) yield bytes.subarray(start)
}

function* bytePieces(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1)
}

/** Pieces of 1 to 256 bytes: small enough to cut lines, UTF-8 sequences and CRLF pairs often. */
function* randomPieces(bytes: Buffer, random: () => number): Generator<Buffer> {
  let start = 0
  while (start < bytes.length) {
    const size = 1 + Math.floor(random() * 256)
    yield bytes.subarray(start, start + size)
    start += size
  }
}

/** A small seeded PRNG (mulberry32), so a `--seed` reproduces the same cuts. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
