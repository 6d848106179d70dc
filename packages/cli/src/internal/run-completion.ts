import {
  isDeltafoldError,
  streamChatCompletion,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'
import type { CliIO } from '../cli-io.js'
import { colorEnabled, createColors } from './color.js'
import { describeExit, EXIT, exitCodeFor } from './exit-code.js'
import { createOutput } from './output.js'
import { countBytes, createStats } from './stats.js'
import { probeStream, type StreamProbe } from './stream-probe.js'
import { createTextRenderer, type TextRenderer } from './text-renderer.js'
import { createNativeFold, feedingNative } from './native-fold.js'

/** What one run of the bytes → completion pipeline prints, and where. */
export interface CompletionRun {
  source: AsyncIterable<Uint8Array | string>
  /** `completion`: pretty JSON of the final completion; `events`: NDJSON of the typed events. */
  mode: 'completion' | 'events'
  /** Where `--text` renders: stderr (beside the JSON on stdout), stdout (instead of NDJSON), nowhere. */
  text: 'stderr' | 'stdout' | 'none'
  stats: boolean
  /** `events` mode: include the raw `chunk` events. */
  chunks: boolean
  options: ChatCompletionStreamOptions
  /**
   * `completion` mode: print the input format's own final object (Anthropic Message, Responses
   * Response) instead of its chat translation; a chat stream prints its chat.completion as ever.
   */
  native?: boolean
  /** The input came over the network (`fetch`): a broken read is an HTTP failure (5), not 1. */
  network: boolean
  /** `performance.now()` when the work began, for `--stats`. */
  start: number
  io: CliIO
}

const TOKEN_EVENTS = new Set<CompletionEvent['type']>(['content.delta', 'reasoning.delta', 'refusal.delta', 'tool_call.start'])

/**
 * Runs {@link streamChatCompletion} over the source and prints as asked. Never throws for stream
 * errors: it prints the partial completion (nothing received is lost), says on stderr what happened
 * and where, and returns the exit code.
 */
export async function runCompletion(run: CompletionRun): Promise<number> {
  const { io, mode } = run
  const stdout = createOutput(io.stdout)
  const stderr = createOutput(io.stderr)
  const errColors = createColors(colorEnabled(stderr.isTTY, io.env))
  const stats = createStats(run.start, 'chat')
  let renderer: TextRenderer | undefined
  if (run.text !== 'none') {
    const target = run.text === 'stderr' ? stderr : stdout
    renderer = createTextRenderer(target, createColors(colorEnabled(target.isTTY, io.env)))
  }
  const ndjson = mode === 'events' && run.text !== 'stdout'
  // Errors (parseError) have no enumerable fields: print their name and message.
  const replacer = run.options.parseArguments ? errorReplacer : undefined

  const options: ChatCompletionStreamOptions = { ...run.options }
  if (io.signal) options.signal = io.signal
  const probe: StreamProbe = { firstByte: -1, sawDone: false }
  const format = options.format
  const native =
    run.native === true && mode === 'completion' && format !== 'chat'
      ? createNativeFold(format === 'anthropic' || format === 'responses' ? format : undefined)
      : undefined
  const source = probeStream(countBytes(run.source, stats), probe)
  const stream = streamChatCompletion(native === undefined ? source : feedingNative(source, native), options)
  let completion: ChatCompletion | undefined
  // --native: the format's own final object, printed in place of the completion.
  let nativeResult: object | undefined
  let failure: unknown
  try {
    for await (const event of stream) {
      stats.events++
      if (event.type === 'chunk') stats.chunks++
      else if (stats.firstToken === undefined && TOKEN_EVENTS.has(event.type)) stats.token()
      renderer?.event(event)
      if (ndjson && (event.type !== 'chunk' || run.chunks)) stdout.push(JSON.stringify(event, replacer) + '\n')
      // The reader went away (`| head`): stop reading; breaking out cancels the source.
      if (stdout.closed) break
      if (stdout.blocked) await stdout.ready()
      if (stderr.blocked) await stderr.ready()
    }
    if (!stdout.closed) {
      const final = await stream.finalChatCompletion()
      nativeResult = native?.finish()
      completion = final
    }
  } catch (error) {
    failure = error
  }
  if (stdout.closed) return EXIT.ok

  if (completion !== undefined) {
    renderer?.end()
    if (run.stats) stderr.push(errColors.paint(errColors.dim, `deltafold: ${stats.format()}`) + '\n')
    const note = probe.firstByte === LEFT_BRACE ? notStreamedNote(completion) : cutStreamWarning(completion, probe)
    if (note) stderr.push(errColors.paint(errColors.yellow, `deltafold: ${note}`) + '\n')
    // In a terminal: the live text, the stats line, then the completion last.
    await stderr.end()
    if (mode === 'completion') stdout.push(JSON.stringify(nativeResult ?? completion, null, 2) + '\n')
    await stdout.end()
    return EXIT.ok
  }

  const interrupted = io.signal?.aborted === true && (failure === io.signal.reason || isAborted(failure))
  const code = interrupted ? EXIT.interrupted : exitCodeFor(failure, run.network)
  renderer?.end(describeExit(code, failure))
  const partial = (failure as { partial?: ChatCompletion } | undefined)?.partial ?? stream.snapshot()
  // Input that is no event stream has no partial completion: an empty one on stdout would pass
  // for an answer in a pipeline (the failure this exit code exists to prevent). So is a provider's
  // JSON error body (`{"error": …}` where a stream was expected): the error, and nothing on stdout.
  const nothing =
    isDeltafoldError(failure) && (NOT_A_STREAM.has(failure.code) || (failure.code === 'upstream_error' && probe.firstByte === LEFT_BRACE))
  if (mode === 'completion' && !nothing) stdout.push(JSON.stringify(native?.snapshot() ?? partial, null, 2) + '\n')
  else if (ndjson) stdout.push(JSON.stringify(errorLine(failure, code, partial), replacer) + '\n')
  const lines = interrupted ? [describeInterrupt(io.signal?.reason)] : describeFailure(failure, code)
  for (const line of lines) stderr.push(errColors.paint(errColors.red, `deltafold: ${line}`) + '\n')
  const where = mode === 'completion' || ndjson ? 'stdout' : 'stderr'
  if (!nothing) stderr.push(`deltafold: the partial completion received so far is on ${where}\n`)
  if (!ndjson && mode === 'events' && !nothing) {
    // `events --text` renders on stdout: the partial JSON goes to stderr so stdout stays text.
    stderr.push(JSON.stringify(partial, null, 2) + '\n')
  }
  if (run.stats) stderr.push(errColors.paint(errColors.dim, `deltafold: ${stats.format()}`) + '\n')
  // In a terminal: the live text, the partial completion, then what went wrong, last and visible.
  await stdout.end()
  await stderr.end()
  return code
}

const LEFT_BRACE = 0x7b
/** Codes of input that is not an event stream at all (core decides them from the first bytes and the end). */
const NOT_A_STREAM = new Set<string>(['not_event_stream', 'empty_stream', 'not_streamed'])

/** The note for a body that was one JSON completion, which core accepts as a one-chunk stream. */
function notStreamedNote(completion: ChatCompletion): string | undefined {
  if (completion.choices.length === 0) return undefined
  return 'note: the input is a complete chat.completion, not an event stream (the request did not set "stream": true)'
}

/**
 * One warning line when a stream ended without `[DONE]` and looks cut short: a choice without a
 * finish_reason, or tool arguments that are not valid JSON. The exit code stays 0 (`--strict` makes
 * the missing finish_reason an error instead).
 */
export function cutStreamWarning(completion: ChatCompletion, probe: StreamProbe): string | undefined {
  if (probe.sawDone) return undefined
  const problems: string[] = []
  for (const choice of completion.choices) {
    if (choice.finish_reason === null || choice.finish_reason === undefined) problems.push(`choice ${choice.index} has no finish_reason`)
    const calls = (choice.message as { tool_calls?: unknown }).tool_calls
    if (!Array.isArray(calls)) continue
    calls.forEach((call: { id?: unknown; function?: { arguments?: unknown } }, i) => {
      const args = call.function?.arguments
      if (typeof args !== 'string' || args === '' || isJSON(args)) return
      problems.push(`the arguments of tool call ${i}${typeof call.id === 'string' && call.id ? ` (${call.id})` : ''} are not valid JSON`)
    })
  }
  if (problems.length === 0) return undefined
  return `warning: the stream ended without [DONE] and ${problems.join(', ')}: it was probably cut short`
}

function isJSON(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** The last NDJSON line of `events` when the stream fails: not a CompletionEvent, marked `error`. */
function errorLine(failure: unknown, code: number, partial: ChatCompletion): Record<string, unknown> {
  const line: Record<string, unknown> = { type: 'error', exitCode: code }
  if (isDeltafoldError(failure)) {
    line['code'] = failure.code
    line['message'] = failure.message
    if (failure.eventNumber !== undefined) line['eventNumber'] = failure.eventNumber
    if (failure.byteOffset !== undefined) line['byteOffset'] = failure.byteOffset
    if ('error' in failure) line['error'] = (failure as { error: unknown }).error
  } else line['message'] = failure instanceof Error ? failure.message : String(failure)
  line['partial'] = partial
  return line
}

/**
 * One to three lines for stderr: what happened and where (event number, byte offset), then the
 * provider's own error object or the underlying cause.
 */
export function describeFailure(failure: unknown, code: number): string[] {
  const what = describeExit(code, failure)
  if (!isDeltafoldError(failure)) {
    return [`${what}: ${failure instanceof Error ? failure.message : String(failure)}`]
  }
  let where = ''
  // Event 0 is "before any event" (a body that was not a stream): no position worth naming.
  if (failure.eventNumber !== undefined && failure.eventNumber > 0) {
    where += ` at event ${failure.eventNumber}`
    if (failure.byteOffset !== undefined) where += ` (byte ${failure.byteOffset})`
  } else if (failure.eventNumber === undefined && failure.byteOffset !== undefined) where += ` (byte ${failure.byteOffset})`
  // The pipeline appends "(event N, byte M)" or "(after event N, byte M)" to messages: it is said once, in `where`.
  const message = failure.message.replace(/ \((?:after )?event \d+, byte \d+\)$/, '')
  if (failure.code === 'upstream_error') {
    const detail = (failure as { error?: unknown }).error
    const text =
      typeof detail === 'object' && detail !== null && typeof (detail as { message?: unknown }).message === 'string'
        ? (detail as { message: string }).message
        : message
    return [`${what}${where}: ${text}`, `provider error: ${JSON.stringify(detail)}`]
  }
  const lines = [`${what}${where}: ${message} [${failure.code}${failure.path === undefined ? '' : ` at ${failure.path}`}]`]
  if (failure.code === 'not_event_stream') {
    lines.push('hint: did the request set "stream": true? (deltafold reads the body of a streamed response)')
  }
  if (failure.cause instanceof Error && !message.includes(failure.cause.message)) lines.push(`cause: ${failure.cause.message}`)
  return lines
}

/** `stopped by Ctrl-C (SIGINT)`: the reason `cli.js` gives, or a plain `interrupted`. */
function describeInterrupt(reason: unknown): string {
  return reason instanceof Error && reason.message !== '' ? reason.message : 'interrupted'
}

function isAborted(error: unknown): boolean {
  return isDeltafoldError(error) && error.code === 'aborted'
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value
}
