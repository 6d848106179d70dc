import { performance } from 'node:perf_hooks'
import type { ChatCompletionStreamOptions } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, integerOption, type OptionSpecs, type ParsedArgs } from '../args.js'
import type { HttpHead } from '../http-head.js'
import { splitHttpHead } from '../http-head.js'
import { openInput } from '../input.js'
import { UsageError } from '../usage-error.js'
import { runCompletion, type CompletionRun } from '../run-completion.js'
import { runResponse, toReadableStream } from '../run-response.js'

/** Options shared by the commands that run the chat pipeline (default, events, fetch). */
export const CHAT_OPTIONS: OptionSpecs = {
  text: { kind: 'flag' },
  stats: { kind: 'flag' },
  'parse-arguments': { kind: 'flag' },
  strict: { kind: 'flag' },
  'max-event-bytes': { kind: 'value' },
  format: { kind: 'value' },
}

/** The values of `--format`. */
const FORMATS = ['auto', 'chat', 'responses', 'anthropic'] as const

/** `--format F`: the input's wire format, `auto` (the default) to detect it from the first event. */
export function formatOption(args: ParsedArgs): (typeof FORMATS)[number] {
  const format = args.values.get('format') ?? 'auto'
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be ${FORMATS.join(', ')}, got '${format}'`)
  }
  return format as (typeof FORMATS)[number]
}

/** The stream options the chat flags ask for. */
export function streamOptions(args: ParsedArgs): ChatCompletionStreamOptions {
  const options: ChatCompletionStreamOptions = { format: formatOption(args) }
  if (args.flags.has('parse-arguments')) options.parseArguments = true
  if (args.flags.has('strict')) options.strict = true
  const maxEventBytes = integerOption(args, 'max-event-bytes', 1, Number.MAX_SAFE_INTEGER)
  if (maxEventBytes !== undefined) options.maxEventBytes = maxEventBytes
  return options
}

/**
 * `deltafold [FILE|-]`: the final completion as pretty JSON; `--text` renders live on stderr;
 * `--native` prints the format's own final object (Anthropic Message, Responses Response) instead.
 */
export async function completionCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const options = streamOptions(args)
  const start = performance.now()
  const input = await openInput(args.positionals[0], io, usage)
  return runInput(input.label, input.source, {
    mode: 'completion',
    text: args.flags.has('text') ? 'stderr' : 'none',
    stats: args.flags.has('stats'),
    chunks: false,
    native: args.flags.has('native'),
    options,
    network: false,
    start,
    io,
  })
}

/** `deltafold events [FILE|-]`: NDJSON of the typed events; `--text` renders on stdout instead. */
export async function eventsCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold events [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const options = streamOptions(args)
  const start = performance.now()
  const input = await openInput(args.positionals[0], io, usage)
  return runInput(input.label, input.source, {
    mode: 'events',
    text: args.flags.has('text') ? 'stdout' : 'none',
    stats: args.flags.has('stats'),
    chunks: args.flags.has('chunks'),
    options,
    network: false,
    start,
    io,
  })
}

/**
 * Folds FILE or stdin. Output saved with `curl -i` or `curl -D -` starts with the HTTP status line
 * and headers: they are checked as `fetch` checks a live response (a non-2xx status exits 5 with the
 * body, a 2xx that is not an event stream exits 4), then the body after them is folded.
 */
async function runInput(label: string, source: AsyncIterable<Uint8Array | string>, run: Omit<CompletionRun, 'source'>): Promise<number> {
  const split = await splitHttpHead(source)
  if (split.head === undefined) return runCompletion({ ...run, source: split.body })
  return runResponse({ ...run, response: toResponse(split.head, split.body), origin: label })
}

function toResponse(head: HttpHead, body: AsyncIterable<Uint8Array | string>): Response {
  // 204, 205 and 304 have no body by definition (the Response constructor refuses one).
  const empty = head.status === 204 || head.status === 205 || head.status === 304
  let statusText = head.statusText
  if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(statusText)) statusText = ''
  return new Response(empty ? null : toReadableStream(body), { status: head.status, statusText, headers: head.headers })
}
